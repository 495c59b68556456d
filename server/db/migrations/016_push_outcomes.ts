/**
 * Push outcomes and server-bounded time (docs/sync-protocol.md, "Stored outcomes").
 *
 * - `applied_record` becomes the ledger of every record id a person sent, with its final
 *   outcome: `applied`, or `rejected` with the code, message and field the person was shown. A
 *   replay of the id is answered from here without judging the record again (its rule may have
 *   changed its mind since: a closed check-in window, a role removed). A refused row costs what
 *   an applied one does (one row, the id's primary-key entry); refusals are rare next to study
 *   events, and each is a record the person made, so nothing lets one person fill the table
 *   faster than their own pushes could anyway.
 * - `replaces`: a corrected record goes out under a new id naming the refused one; indexed so
 *   the fate of a refused id can be followed.
 * - `corrected_at`: the device's clock corrected by the offset it learned from the server, beside
 *   the raw `created_at`. From here on the kinds' own tables store in their `created_at` the
 *   server-bounded time (`correctedAt ?? createdAt`, never after `received_at`), so every figure
 *   that asks "when" or "latest" reads a time no phone clock can push into the future.
 */
import { sql, type Kysely } from 'kysely'

/** The kinds' tables whose `created_at` comes from a push. */
const PUSHED = ['study_event', 'quiz_attempt', 'checkin', 'attendance_mark', 'meeting', 'home_visit', 'flowing_record', 'reflection', 'reflection_reply']

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applied_record').addColumn('status', 'text', (c) => c.notNull().defaultTo('applied')).execute()
  await db.schema.alterTable('applied_record').addColumn('code', 'text').execute()
  await db.schema.alterTable('applied_record').addColumn('message', 'text').execute()
  await db.schema.alterTable('applied_record').addColumn('field', 'text').execute()
  await db.schema.alterTable('applied_record').addColumn('corrected_at', 'bigint').execute()
  await db.schema.alterTable('applied_record').addColumn('replaces', 'text').execute()
  await db.schema.createIndex('applied_record_replaces_idx').on('applied_record').column('replaces').where(sql.ref('replaces'), 'is not', null).execute()
  // Rows pushed before: the same bound (the raw clock stays in applied_record).
  for (const table of PUSHED) await sql`update ${sql.table(table)} set created_at = received_at where created_at > received_at`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('applied_record_replaces_idx').execute()
  // The bounded times stay: the raw clock was never lost (applied_record.created_at).
  for (const column of ['replaces', 'corrected_at', 'field', 'message', 'code', 'status']) {
    await db.schema.alterTable('applied_record').dropColumn(column).execute()
  }
}
