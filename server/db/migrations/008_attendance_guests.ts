import type { Kysely } from 'kysely'

/**
 * Guest check-ins and the leaders' overview.
 * - `attendance_mark.guest`: 1 for a flowing member's check-in at a meeting outside their own
 *   units (the host leader's roster lists them apart; the home branch is credited through a
 *   confirmed `flowing_record` whose `meeting_id` names the meeting).
 * - `meeting_code_start_idx`: a guest's typed code is looked up among all meetings whose window
 *   holds the check-in time, not only their own units' meetings.
 * - `flowing_record_person_status_idx`: the overview counts each member's confirmed records.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attendance_mark').addColumn('guest', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('flowing_record').addColumn('meeting_id', 'text').execute()
  await db.schema.createIndex('meeting_code_start_idx').on('meeting').columns(['checkin_code', 'starts_at']).execute()
  await db.schema.createIndex('flowing_record_person_status_idx').on('flowing_record').columns(['person_id', 'status', 'held_on']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('flowing_record_person_status_idx').execute()
  await db.schema.dropIndex('meeting_code_start_idx').execute()
  await db.schema.alterTable('flowing_record').dropColumn('meeting_id').execute()
  await db.schema.alterTable('attendance_mark').dropColumn('guest').execute()
}
