import type { Kysely } from 'kysely'

/**
 * Check-in codes that cannot be guessed (issue 21).
 * - `meeting.checkin_token`: a long random token made on the leader's phone and carried by the QR
 *   code only (null for meetings made by phones that predate it); `checkin.token` keeps a scanned
 *   token until its meeting arrives.
 * - `checkin_failure`: every typed code that did not check the person in, kept in the database so
 *   all server instances count the same attempts. Keyed by what was tried, so a replayed record
 *   counts once but the same record id with another code counts again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meeting').addColumn('checkin_token', 'text').execute()
  await db.schema.alterTable('checkin').addColumn('token', 'text').execute()
  await db.schema
    .createTable('checkin_failure')
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'text', (c) => c.notNull())
    .addColumn('meeting_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkin_failure_pk', ['person_id', 'record_id', 'attempt'])
    .execute()
  await db.schema.createIndex('checkin_failure_person_idx').on('checkin_failure').columns(['person_id', 'received_at']).execute()
  await db.schema.createIndex('checkin_failure_meeting_idx').on('checkin_failure').columns(['meeting_id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('checkin_failure').execute()
  await db.schema.alterTable('checkin').dropColumn('token').execute()
  await db.schema.alterTable('meeting').dropColumn('checkin_token').execute()
}
