/**
 * 个人信息保护告知 (PIPL, issue 21): which version of the privacy notice each person accepted and
 * when. A record, not a gate: the server never refuses requests over it (offline phones keep
 * syncing); the client keeps a person on the notice until they accept the current version.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').addColumn('privacy_accepted_version', 'text').execute()
  await db.schema.alterTable('person').addColumn('privacy_accepted_at', 'bigint').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').dropColumn('privacy_accepted_at').execute()
  await db.schema.alterTable('person').dropColumn('privacy_accepted_version').execute()
}
