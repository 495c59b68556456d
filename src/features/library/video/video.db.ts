/**
 * Lesson videos on the phone: download rows, their chunks and where the member stopped watching.
 * The service worker reads the same chunks to answer playback (src/sw/videoChunks.ts).
 */
import { db, type VideoDownloadRow, type VideoPositionRow } from '@/db/db.ts'
import type { ChunkStore } from './chunkDownload.ts'

export const videoChunkStore: ChunkStore = {
  get: (url) => db.videoDownloads.get(url),
  save: async (row) => {
    await db.videoDownloads.put(structuredClone(row))
  },
  putChunk: (row, index, data) =>
    db.transaction('rw', [db.videoDownloads, db.videoChunks], async () => {
      await db.videoChunks.put({ url: row.url, index, data })
      await db.videoDownloads.put(structuredClone(row))
    }),
  clear: (url) =>
    db.transaction('rw', [db.videoDownloads, db.videoChunks], async () => {
      await db.videoChunks.where('[url+index]').between([url, 0], [url, Infinity]).delete()
      await db.videoDownloads.delete(url)
    }),
}

export const videoDb = {
  list: (): Promise<VideoDownloadRow[]> => db.videoDownloads.toArray(),
  byLesson: (lessonId: string) => db.videoDownloads.where('lessonId').equals(lessonId).toArray(),
  position: (lessonId: string) => db.videoPositions.get(lessonId),
  savePosition: (row: VideoPositionRow) => db.videoPositions.put(structuredClone(row)),
}
