import type { Kysely } from 'kysely'

/**
 * Annual study plans 年度学习计划 and the indexes the training archive 培训档案 and the monthly
 * report read by. A plan is its items: one row per planned course, quiz or meeting in a month,
 * published by a unit (branch, township or district); units below inherit it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('study_plan_item')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** The publishing unit: its whole subtree inherits the item. */
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('month', 'integer', (c) => c.notNull())
    /** Start of the month in China time (UTC+8), so "planned between two instants" is a range scan. */
    .addColumn('month_start', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** course or quiz id (kind course/quiz) */
    .addColumn('ref_id', 'text')
    /** meeting type (kind meeting) */
    .addColumn('meeting_type', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('study_plan_item_org_month_idx').on('study_plan_item').columns(['org_unit_id', 'month_start']).execute()
  // A member's archive and a branch's month read study and quiz records by person and server time.
  await db.schema.createIndex('study_event_person_received_idx').on('study_event').columns(['person_id', 'received_at']).execute()
  await db.schema.createIndex('quiz_attempt_person_received_idx').on('quiz_attempt').columns(['person_id', 'received_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('quiz_attempt_person_received_idx').execute()
  await db.schema.dropIndex('study_event_person_received_idx').execute()
  await db.schema.dropTable('study_plan_item').execute()
}
