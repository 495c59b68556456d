import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { VideoProcessing } from '../../../src/protocol/content.ts'
import type { Database } from '../../db/database.ts'
import type { ParsedVideo } from '../content/content.parse.ts'
import { attachToLessons, latestJobFor, queueVideoJob } from './videoJob.repository.ts'

/**
 * After content:import: queues processing for each video not processed yet, and writes the
 * result of one processed before into its lessons again (a re-imported lesson file overwrote them).
 * A video served as is because ffmpeg was missing is queued again once ffmpeg is there.
 * Returns how many jobs were queued.
 */
export async function queueImportedVideos(db: Kysely<Database>, videos: ParsedVideo[], ffmpeg: boolean, now = Date.now()): Promise<number> {
  let queued = 0
  const seen = new Set<string>()
  for (const { path, sha256, video } of videos) {
    if (seen.has(sha256)) continue
    seen.add(sha256)
    const job = await latestJobFor(db, sha256)
    const result = job?.result ? (JSON.parse(job.result) as VideoProcessing) : undefined
    if (!job || (ffmpeg && result?.noSaver === 'no-ffmpeg')) {
      await queueVideoJob(db, { id: randomUUID(), sourcePath: path, sourceSha256: sha256, original: video, uploadedBy: null }, now)
      queued++
    } else if (result) {
      await db.transaction().execute((trx) => attachToLessons(trx, sha256, result))
    }
  }
  return queued
}
