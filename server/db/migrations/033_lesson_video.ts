/**
 * Video lessons (issue 16): a lesson may carry a video (JSON: url, bytes, type, duration, width,
 * height — src/protocol/content.ts LessonVideo); null for text lessons.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('lesson').addColumn('video', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('lesson').dropColumn('video').execute()
}
