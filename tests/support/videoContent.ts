/** A small content/ folder with one video lesson, for tests of the video import and processing. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONTENT_DIR } from '../../server/features/content/import.ts'

export const VIDEO_LESSON_FILE = 'courses/rural-safety/05-video-fire-drill.md'
const lessonText = (video: string, notes = '') =>
  `---\nid: rural-safety-05\ntitle: 灭火器演示\norder: 5\nminutes: 2\nvideo: ${video}\n---\n${notes}`

/** A small content/ (one demo course and a video lesson whose file holds `bytes`): fast to parse. */
export function contentWithVideo(bytes: Buffer, notes = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'pps-video-'))
  cpSync(join(CONTENT_DIR, 'courses/rural-safety'), join(dir, 'courses/rural-safety'), { recursive: true })
  for (const media of ['covers', 'images', 'audio']) cpSync(join(CONTENT_DIR, 'media', media), join(dir, 'media', media), { recursive: true })
  mkdirSync(join(dir, 'media/video'))
  writeFileSync(join(dir, 'media/video/fire-drill.mp4'), bytes)
  writeFileSync(join(dir, VIDEO_LESSON_FILE), lessonText('media/video/fire-drill.mp4', notes))
  return dir
}

