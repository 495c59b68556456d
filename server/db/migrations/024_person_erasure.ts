/**
 * Right to erasure (PIPL art. 47, issue 21): when a district admin processed a deletion request
 * for a person. The row stays (its id keeps attendance, study and quiz figures adding up) with its
 * personal fields scrubbed; this column makes the erasure final (no reactivation, no edit) and a
 * second request answer 409.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').addColumn('erased_at', 'bigint').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').dropColumn('erased_at').execute()
}
