/**
 * Reports and data freshness (issue 8).
 *
 * `sync_device` is rebuilt so a device that only pulls (an empty outbox never pushes) still has a
 * row: 002 made `last_push_at` NOT NULL and SQLite cannot drop that, so rows are copied into the
 * new shape. `pending_count` is what the device still holds after the batch it sent.
 *
 * `report_person_stats` and `report_course_progress` are per-person summaries, recomputed from
 * the source tables for exactly the people a push batch touched, inside that batch's transaction
 * (server/features/reports/reportStats.repository.ts), so they are never behind the data. Reports
 * over 100,000 members then read one narrow row per member instead of millions of events.
 */
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_device_v9')
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('last_push_at', 'bigint')
    .addColumn('last_pull_at', 'bigint')
    .addColumn('outbox_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('sync_device_v9_pk', ['person_id', 'device_id'])
    .execute()
  await sql`insert into sync_device_v9 (person_id, device_id, last_push_at, outbox_count, pending_count)
    select person_id, device_id, last_push_at, outbox_count, outbox_count from sync_device`.execute(db)
  await db.schema.dropTable('sync_device').execute()
  await db.schema.alterTable('sync_device_v9').renameTo('sync_device').execute()

  await db.schema
    .createTable('report_person_stats')
    .addColumn('person_id', 'text', (c) => c.primaryKey().references('person.id'))
    .addColumn('last_study_at', 'bigint')
    .addColumn('study_seconds', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('quizzes_attempted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quizzes_passed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('marks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sync_at', 'bigint')
    .addColumn('devices_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('report_course_progress')
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('lessons_completed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_course_progress_pk', ['person_id', 'course_id'])
    .execute()

  // Completion counts the completers of a course: (course, lessons completed) first.
  await db.schema
    .createIndex('report_course_progress_course_idx')
    .on('report_course_progress')
    .columns(['course_id', 'lessons_completed', 'person_id'])
    .execute()
  // Recomputing one person's summary reads their events by person first.
  await db.schema.createIndex('quiz_attempt_person_passed_idx').on('quiz_attempt').columns(['person_id', 'quiz_id', 'passed']).execute()
  // Meetings by type in a subtree, and members of a unit in name order with their summary.
  await db.schema.createIndex('meeting_org_type_idx').on('meeting').columns(['org_unit_id', 'type', 'starts_at']).execute()
  // The backfill runs in 014, after every table the current recompute writes exists.
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('meeting_org_type_idx').execute()
  await db.schema.dropIndex('quiz_attempt_person_passed_idx').execute()
  await db.schema.dropTable('report_course_progress').execute()
  await db.schema.dropTable('report_person_stats').execute()
  await db.schema
    .createTable('sync_device_v2')
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('last_push_at', 'bigint', (c) => c.notNull())
    .addColumn('outbox_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_device_pk', ['person_id', 'device_id'])
    .execute()
  await sql`insert into sync_device_v2 (person_id, device_id, last_push_at, outbox_count)
    select person_id, device_id, last_push_at, outbox_count from sync_device where last_push_at is not null`.execute(db)
  await db.schema.dropTable('sync_device').execute()
  await db.schema.alterTable('sync_device_v2').renameTo('sync_device').execute()
}
