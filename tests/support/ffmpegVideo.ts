/**
 * Real H.264/AAC MP4s made with ffmpeg at test time (a test pattern and a tone): small and fast,
 * so no video file is committed and the processing tests stay quick.
 */
import { execFileSync } from 'node:child_process'

export function makeTestVideo(path: string, { seconds = 3, width = 640, height = 480 } = {}): void {
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=15:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
    '-movflags', '+faststart', path,
  ])
}
