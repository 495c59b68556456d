/**
 * Report figures per org unit (issue 8: every report page < 300 ms p95 at 100,000 members).
 *
 * `report_unit_stats` holds, for each unit, the sums over the members placed directly on it (for
 * a group: its ~12 members). It is recomputed from `report_person_stats` whenever one of those
 * members' summaries is, in the same transaction. A district report then adds up ~10,000 unit
 * rows instead of 100,000 member rows; a subtree move needs no change, since the rows are keyed by
 * the unit and the tree is read at report time.
 *
 * `report_person_stats` gains the member's unit (null once deactivated), so the unit sums and the
 * "members behind" count find members by unit, and the assigned-course figures per person, which
 * count every kind of course assignment (unit, member group, named people).
 *
 * Members behind depends on the clock (no study for N weeks, N chosen by the viewer), so it cannot
 * be summed ahead: the unit row keeps those who never studied, and the others are counted on the
 * (org_unit_id, last_study_at) index at report time, reading only the members behind.
 *
 * The backfill moved here from 009: a migration that calls the current recompute must run after
 * every table that recompute writes exists.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../database.ts'
import { refreshAllReportStats } from '../../features/reports/reportStats.repository.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('report_person_stats').addColumn('org_unit_id', 'text').execute()
  await db.schema.alterTable('report_person_stats').addColumn('courses_assigned', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('report_person_stats').addColumn('courses_completed', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.createIndex('report_person_stats_unit_idx').on('report_person_stats').columns(['org_unit_id', 'last_study_at']).execute()

  await db.schema
    .createTable('report_unit_stats')
    .addColumn('org_unit_id', 'text', (c) => c.primaryKey())
    .addColumn('members', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('never_studied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('courses_assigned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('courses_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quizzes_attempted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quizzes_passed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('marks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('newest_sync_at', 'bigint')
    .addColumn('oldest_sync_at', 'bigint')
    .addColumn('never_synced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('devices_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  // Meetings held per unit, calendar year (UTC+8) and type: a district counts ~10,000 unit rows
  // a year instead of ~100,000 meetings. Meetings are only ever created, so a push that creates
  // one recomputes its unit's rows.
  await db.schema
    .createTable('report_unit_meetings')
    .addColumn('org_unit_id', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('meetings', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_unit_meetings_pk', ['org_unit_id', 'year', 'type'])
    .execute()

  await refreshAllReportStats(db as Kysely<Database>)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('report_unit_meetings').execute()
  await db.schema.dropTable('report_unit_stats').execute()
  await db.schema.dropIndex('report_person_stats_unit_idx').execute()
  await db.schema.alterTable('report_person_stats').dropColumn('courses_completed').execute()
  await db.schema.alterTable('report_person_stats').dropColumn('courses_assigned').execute()
  await db.schema.alterTable('report_person_stats').dropColumn('org_unit_id').execute()
}
