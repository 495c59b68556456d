import { sql, type Kysely } from 'kysely'
import { autoIncrementKey } from './helpers.ts'

/**
 * Corrections are not undone by older offline edits (docs/sync-protocol.md, "Conflict rules").
 * - `attendance_mark.based_on`: the mark (its record id) the phone showed for that member when the
 *   leader tapped; null = none. It lets the server tell a correction from a blind edit.
 * - `attendance_mark_overruled`: marks that arrived based on an older mark than the current one.
 *   Kept for history, never counted: every reader of `attendance_mark` (roll call, overview,
 *   reports, archive) stays right without a filter. `lost_to` is the current mark's record id.
 * - `flowing_record_review`: every record-card review, append-only (who, when, decision, note,
 *   based-on); `overruled_by` is set when it was not applied. `flowing_record.review_id` names
 *   the review in force. Reviews made before this migration get one history row each.
 * - `reflection.review_id`: the reflection review in force (its history is the audit log), so a
 *   review can be based on it too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attendance_mark').addColumn('based_on', 'text').execute()
  await db.schema
    .createTable('attendance_mark_overruled')
    .addColumn('seq', 'integer', autoIncrementKey(db))
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('meeting_id', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('marked_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('guest', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('based_on', 'text')
    .addColumn('lost_to', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('attendance_mark_overruled_record_person_uq').on('attendance_mark_overruled').columns(['record_id', 'person_id']).unique().execute()
  await db.schema.createIndex('attendance_mark_overruled_meeting_idx').on('attendance_mark_overruled').columns(['meeting_id', 'person_id']).execute()

  await db.schema.alterTable('flowing_record').addColumn('review_id', 'text').execute()
  await db.schema
    .createTable('flowing_record_review')
    .addColumn('seq', 'integer', autoIncrementKey(db))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('record_id', 'text', (c) => c.notNull().references('flowing_record.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('reviewed_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('based_on', 'text')
    .addColumn('overruled_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('flowing_record_review_record_idx').on('flowing_record_review').columns(['record_id', 'seq']).execute()
  // Reviews made before: their push ids were not kept, so each gets a made-up one.
  await sql`
    insert into flowing_record_review (id, record_id, decision, reason, reviewed_by, device, based_on, overruled_by, created_at, received_at)
    select 'before-017-' || id, id, status, reason, reviewed_by, '', null, null, reviewed_at, reviewed_at
    from flowing_record
    where status <> 'pending' and meeting_id is null and reviewed_by is not null and reviewed_at is not null`.execute(db)
  await sql`
    update flowing_record set review_id = 'before-017-' || id
    where status <> 'pending' and meeting_id is null and reviewed_by is not null and reviewed_at is not null`.execute(db)
  await db.schema.alterTable('reflection').addColumn('review_id', 'text').execute()
  await sql`update reflection set review_id = 'before-017-' || id where reviewed_by is not null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reflection').dropColumn('review_id').execute()
  await db.schema.dropTable('flowing_record_review').execute()
  await db.schema.alterTable('flowing_record').dropColumn('review_id').execute()
  await db.schema.dropTable('attendance_mark_overruled').execute()
  await db.schema.alterTable('attendance_mark').dropColumn('based_on').execute()
}
