/** A content/ folder with one video lesson, for tests of the video import, processing and player. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONTENT_DIR } from '../../server/features/content/import.ts'

export const VIDEO_LESSON_ID = 'rural-safety-05'
export const VIDEO_LESSON_FILE = 'courses/rural-safety/05-video-fire-drill.md'
const VIDEO_FILE = 'media/video/fire-drill.mp4'

export interface VideoContentOptions {
  /** Markdown notes below the video (empty by default: a video lesson needs none). */
  notes?: string
  title?: string
  /**
   * Copy the whole content/ folder, as an e2e server needs (every course, the pocket book, the
   * quizzes); by default only the lesson's course and its media, which parses fast.
   */
  whole?: boolean
}

/**
 * A temporary content/ folder whose lesson `rural-safety-05` shows a video. `video` is the MP4's
 * bytes, or a function that writes it at the path it is given (e.g. ffmpeg's makeTestVideo).
 */
export function contentWithVideo(video: Buffer | ((path: string) => void), { notes = '', title = '灭火器演示', whole = false }: VideoContentOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pps-video-'))
  if (whole) cpSync(CONTENT_DIR, dir, { recursive: true })
  else {
    cpSync(join(CONTENT_DIR, 'courses/rural-safety'), join(dir, 'courses/rural-safety'), { recursive: true })
    for (const media of ['covers', 'images', 'audio']) cpSync(join(CONTENT_DIR, 'media', media), join(dir, 'media', media), { recursive: true })
  }
  mkdirSync(join(dir, 'media/video'))
  if (typeof video === 'function') video(join(dir, VIDEO_FILE))
  else writeFileSync(join(dir, VIDEO_FILE), video)
  writeFileSync(join(dir, VIDEO_LESSON_FILE), `---\nid: ${VIDEO_LESSON_ID}\ntitle: ${title}\norder: 5\nminutes: 2\nvideo: ${VIDEO_FILE}\n---\n${notes}`)
  return dir
}
