/**
 * Which version of a lesson's video to offer, download and play (docs/video.md "Renditions"):
 * the original (高清) and, where the server made one, the 360p data-saver (省流).
 */
import type { VideoDownloadRow } from '@/db/db.ts'
import type { LessonVideo, VideoRendition } from '@/protocol/content.ts'

/** A video pulled before processing existed has no list: its one rendition is the original. */
export function renditionsOf(video: LessonVideo): VideoRendition[] {
  return video.renditions?.length ? video.renditions : [{ kind: 'hd', url: video.url, bytes: video.bytes, width: video.width, height: video.height }]
}

/** What the browser tells about the connection (Network Information API: Chromium on Android). */
export interface ConnectionHint {
  type?: string
  effectiveType?: string
}

export function browserConnection(): ConnectionHint | undefined {
  return (navigator as Navigator & { connection?: ConnectionHint }).connection
}

/** A mobile connection as far as the browser tells: cellular, or (type unknown) a 2G/3G speed. */
export function isMobileConnection(c: ConnectionHint | undefined): boolean {
  if (!c) return false
  if (c.type) return c.type === 'cellular'
  return c.effectiveType === 'slow-2g' || c.effectiveType === '2g' || c.effectiveType === '3g'
}

/** The data-saver on a mobile connection (when there is one), the original otherwise. */
export function defaultRendition(video: LessonVideo, connection = browserConnection()): VideoRendition {
  const all = renditionsOf(video)
  return (isMobileConnection(connection) && all.find((r) => r.kind === 'saver')) || all[0]!
}

/**
 * Downloads of this lesson whose file is no longer one of the video's renditions (the server
 * re-made or removed it): they are deleted, never played as a mix, and the rendition of the same
 * kind is downloaded again from the start when the old one was wanted.
 */
export function replacedDownloads(rows: VideoDownloadRow[], lessonId: string, video: LessonVideo): { stale: VideoDownloadRow[]; restart: VideoRendition[] } {
  const all = renditionsOf(video)
  const stale = rows.filter((r) => r.lessonId === lessonId && !all.some((x) => x.url === r.url))
  const restart = stale.flatMap((row) => {
    const again = all.find((x) => x.kind === (row.kind ?? 'hd'))
    return again && !rows.some((r) => r.url === again.url) ? [again] : []
  })
  return { stale, restart: [...new Map(restart.map((r) => [r.url, r])).values()] }
}
