import type { Kysely } from 'kysely'
import { autoIncrementKey } from './helpers.ts'

/**
 * Meetings and attendance. `attendance_mark` is append-only: a correction is a new row, and the
 * current state of a member is the row with the highest `seq` (server order, never device time),
 * so two leaders' phones that marked offline converge to one answer once both have synced.
 * `checkin` keeps every check-in a member sent, including ones waiting for their meeting.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meeting')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('lesson_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('checkin_code', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  // Lists are keyset-paged by (org_unit_id, starts_at desc, id); check-ins look up by code.
  await db.schema.createIndex('meeting_org_start_idx').on('meeting').columns(['org_unit_id', 'starts_at', 'id']).execute()
  await db.schema.createIndex('meeting_org_code_idx').on('meeting').columns(['org_unit_id', 'checkin_code']).execute()

  await db.schema
    .createTable('attendance_mark')
    .addColumn('seq', 'integer', autoIncrementKey(db))
    .addColumn('record_id', 'text', (c) => c.notNull())
    // No foreign key on purpose: a leader's marks may reach the server before the meeting itself
    // (another batch, another phone); they stay invisible until a meeting of the same unit exists.
    .addColumn('meeting_id', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('marked_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('attendance_mark_record_person_uq').on('attendance_mark').columns(['record_id', 'person_id']).unique().execute()
  await db.schema.createIndex('attendance_mark_meeting_idx').on('attendance_mark').columns(['meeting_id', 'person_id', 'seq']).execute()
  await db.schema.createIndex('attendance_mark_person_idx').on('attendance_mark').columns(['person_id', 'seq']).execute()

  await db.schema
    .createTable('checkin')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    /** Named by a scanned QR code, or found by the server from the typed code. */
    .addColumn('meeting_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('checkin_person_idx').on('checkin').columns(['person_id', 'received_at']).execute()
  await db.schema.createIndex('checkin_state_idx').on('checkin').columns(['state', 'code']).execute()

  // 上门送学: a leader's visit to an elderly or housebound member, with an optional small photo.
  await db.schema
    .createTable('home_visit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('visited_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('visited_at', 'bigint', (c) => c.notNull())
    .addColumn('studied', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('lesson_id', 'text')
    /** Base64 JPEG, at most ~146 KB: small enough to keep in the row. */
    .addColumn('photo', 'text')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('home_visit_org_idx').on('home_visit').columns(['org_unit_id', 'visited_at']).execute()
  await db.schema.createIndex('home_visit_person_idx').on('home_visit').columns(['person_id', 'visited_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['home_visit', 'checkin', 'attendance_mark', 'meeting']) {
    await db.schema.dropTable(table).execute()
  }
}
