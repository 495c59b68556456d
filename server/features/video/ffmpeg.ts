/**
 * The two things ffmpeg makes for a video (docs/video.md): a poster (JPEG at about 10 % in) and a
 * data-saver rendition (360p H.264/AAC at ≈ 350 kbit/s, `+faststart` so playback can start from
 * the first chunks). ffmpeg is optional: without it the original is served as is.
 */
import { spawn, spawnSync } from 'node:child_process'

/** Height of the data-saver rendition; an original this small or smaller is its own data-saver. */
export const SAVER_HEIGHT = 360

/**
 * Whether ffmpeg can be used. VIDEO_FFMPEG=off turns it off (a server that should not spend CPU
 * on encoding, and the tests of "no ffmpeg").
 */
export function ffmpegAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.VIDEO_FFMPEG === 'off') return false
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0
}

/** Runs ffmpeg; `onSeconds` gets the output time reached (from `-progress`), for a progress bar. */
function run(args: string[], onSeconds?: (s: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-progress', 'pipe:1', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/out_time_us=(\d+)/g)) onSeconds?.(Number(m[1]) / 1e6)
    })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`))))
  })
}

export function makePoster(input: string, output: string, durationSeconds: number): Promise<void> {
  const at = (durationSeconds * 0.1).toFixed(2)
  // -ss before -i seeks by key frames: fast even 10 minutes into a long video.
  return run(['-ss', at, '-i', input, '-frames:v', '1', '-vf', `scale=-2:'min(720,ih)'`, '-q:v', '4', '-f', 'image2', output])
}

/** 360p for village 3G: a 10-minute lesson is about 26 MB instead of hundreds. */
export function makeSaver(input: string, output: string, onSeconds: (s: number) => void): Promise<void> {
  return run(
    [
      '-i', input,
      '-map', '0:v:0', '-map', '0:a:0?',
      '-vf', `scale=-2:${SAVER_HEIGHT}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
      '-b:v', '300k', '-maxrate', '350k', '-bufsize', '700k',
      '-c:a', 'aac', '-b:a', '48k', '-ac', '1',
      '-movflags', '+faststart',
      '-f', 'mp4', output,
    ],
    onSeconds,
  )
}
