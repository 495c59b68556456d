/**
 * The video processing queue (migration 036): the `video_job` row is the job. See docs/video.md
 * "Processing" for the rules: claimed by one worker at a time, retried after a crash, at most
 * MAX_ATTEMPTS tries, and a finished job writes its poster and renditions into every lesson
 * that shows that video.
 */
import type { Kysely, Selectable } from 'kysely'
import type { LessonVideo, VideoProcessing } from '../../../src/protocol/content.ts'
import type { Database, VideoJobTable } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { nextVersion } from '../../db/version.ts'

export type VideoJobRow = Selectable<VideoJobTable>

/** A crash mid-encode is retried this many times in all; then the original is served as is. */
export const MAX_ATTEMPTS = 3
/** A running job whose worker has not written progress for this long belongs to a dead process. */
export const STALE_MS = 2 * 60_000

export interface NewVideoJob {
  id: string
  sourcePath: string
  sourceSha256: string
  original: LessonVideo
  uploadedBy: string | null
}

export async function queueVideoJob(db: Kysely<Database>, job: NewVideoJob, now = Date.now()): Promise<void> {
  await db
    .insertInto('video_job')
    .values({
      id: job.id,
      source_path: job.sourcePath,
      source_sha256: job.sourceSha256,
      original: JSON.stringify(job.original),
      uploaded_by: job.uploadedBy,
      state: 'queued',
      heartbeat_at: null,
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
}

export function findVideoJob(db: Kysely<Database>, id: string): Promise<VideoJobRow | undefined> {
  return db.selectFrom('video_job').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The newest job for these bytes, so an import does not queue a video it has processed before. */
export function latestJobFor(db: Kysely<Database>, sourceSha256: string): Promise<VideoJobRow | undefined> {
  return db.selectFrom('video_job').selectAll().where('source_sha256', '=', sourceSha256).orderBy('created_at', 'desc').limit(1).executeTakeFirst()
}

/**
 * Takes the oldest waiting job, or a running one whose worker died. On PostgreSQL the inner
 * select locks the row it picks and skips rows other instances are taking, so two instances
 * never claim the same job; SQLite has one writer, and the one-statement update is atomic.
 */
export async function claimVideoJob(db: Kysely<Database>, now = Date.now(), staleMs = STALE_MS): Promise<VideoJobRow | undefined> {
  const pg = isPostgres(db as Kysely<unknown>)
  let pick = db
    .selectFrom('video_job')
    .select('id')
    .where((eb) => eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('heartbeat_at', '<', now - staleMs)])]))
    .orderBy('created_at')
    .limit(1)
  if (pg) pick = pick.forUpdate().skipLocked()
  return db
    .updateTable('video_job')
    .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), heartbeat_at: now, progress: 0, updated_at: now }))
    .where('id', '=', pick)
    .returningAll()
    .executeTakeFirst()
}

/** Progress in % and the heartbeat that keeps the job from being taken over. */
export async function reportProgress(db: Kysely<Database>, id: string, progress: number, now = Date.now()): Promise<void> {
  await db
    .updateTable('video_job')
    .set({ progress: Math.max(0, Math.min(99, Math.floor(progress))), heartbeat_at: now, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute()
}

/** The video as phones should see it once processing ended (or while it is still pending). */
export function processedVideo(job: Pick<VideoJobRow, 'original' | 'result' | 'state'>): LessonVideo {
  const original = JSON.parse(job.original) as LessonVideo
  if (!job.result) return { ...original, noSaver: 'pending' }
  return { ...original, ...(JSON.parse(job.result) as VideoProcessing) }
}

/**
 * Ends a job: its result goes into the job and into every lesson showing these bytes, each with a
 * new version so phones pull the renditions. A lesson already carrying them is left alone.
 */
export async function finishVideoJob(
  db: Kysely<Database>,
  job: VideoJobRow,
  outcome: { state: 'done' | 'failed'; result: VideoProcessing; error?: string },
  now = Date.now(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('video_job')
      .set({ state: outcome.state, result: JSON.stringify(outcome.result), error: outcome.error ?? null, progress: 100, heartbeat_at: null, updated_at: now })
      .where('id', '=', job.id)
      .execute()
    await attachToLessons(trx, job.source_sha256, outcome.result)
  })
}

/** Puts a job back in the queue after a failed try, or ends it once MAX_ATTEMPTS are spent. */
export async function retryOrFail(db: Kysely<Database>, job: VideoJobRow, error: string, fallback: VideoProcessing, now = Date.now()): Promise<void> {
  if (job.attempts >= MAX_ATTEMPTS) return finishVideoJob(db, job, { state: 'failed', result: fallback, error }, now)
  await db.updateTable('video_job').set({ state: 'queued', error, heartbeat_at: null, updated_at: now }).where('id', '=', job.id).execute()
}

/** Writes a processing result into the lessons whose video is these bytes. */
export async function attachToLessons(db: Kysely<Database>, sourceSha256: string, result: VideoProcessing): Promise<number> {
  const lessons = await db.selectFrom('lesson').select(['id', 'video']).where('video_source', '=', sourceSha256).where('deleted_at', 'is', null).execute()
  let changed = 0
  for (const lesson of lessons) {
    if (!lesson.video) continue
    const before = JSON.parse(lesson.video) as LessonVideo
    const { poster: _p, renditions: _r, noSaver: _n, ...original } = before
    const video = JSON.stringify({ ...original, ...result })
    if (video === lesson.video) continue
    await db.updateTable('lesson').set({ video, version: await nextVersion(db) }).where('id', '=', lesson.id).execute()
    changed++
  }
  return changed
}
