/**
 * Video processing off the request path (issue 16, docs/video.md): one row per job that makes a
 * video's poster and data-saver rendition. The row is the queue: a worker claims it (PostgreSQL:
 * FOR UPDATE SKIP LOCKED, so one worker per job across instances), beats `heartbeat_at` while it
 * runs, and a job whose heartbeat went stale (the process died) is claimed again.
 * `lesson.video_source` (sha256 of the original) finds the lessons a finished job updates.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('video_job')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_path', 'text', (c) => c.notNull())
    .addColumn('source_sha256', 'text', (c) => c.notNull())
    // JSON LessonVideo of the original as served (url, bytes, duration, picture size)
    .addColumn('original', 'text', (c) => c.notNull())
    // the editor who uploaded it through the studio; null for content:import
    .addColumn('uploaded_by', 'text', (c) => c.references('person.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('heartbeat_at', 'bigint')
    // JSON VideoProcessing result: poster, data-saver rendition or why none was made
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('video_job_state_idx').on('video_job').columns(['state', 'created_at']).execute()
  await db.schema.createIndex('video_job_source_idx').on('video_job').column('source_sha256').execute()
  await db.schema.alterTable('lesson').addColumn('video_source', 'text').execute()
  await db.schema.createIndex('lesson_video_source_idx').on('lesson').column('video_source').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('lesson_video_source_idx').execute()
  await db.schema.alterTable('lesson').dropColumn('video_source').execute()
  await db.schema.dropTable('video_job').execute()
}
