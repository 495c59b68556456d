/**
 * The one monotonic sequence behind every `version` column that phones pull.
 *
 * Why a lock on PostgreSQL: a pull reads "version > cursor", so a row must never become visible
 * with a version lower than one a client already saw. Sequence values are handed out before
 * commit, so two concurrent writers could commit out of order and a pull in between would skip
 * the slower one's rows for ever. The transaction-scoped advisory lock makes versioned writers
 * take turns, so commit order equals version order. SQLite has a single writer already; its
 * counter row is bumped inside the caller's transaction and rolls back with it.
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import { isPostgres } from './migrations/helpers.ts'
import type { Database } from './database.ts'

const VERSION_LOCK_KEY = 7_460_001

/** Call inside the writing transaction; returns the next version for one row. */
export async function nextVersion(trx: Transaction<Database> | Kysely<Database>): Promise<number> {
  if (isPostgres(trx as Kysely<unknown>)) {
    await lockVersions(trx)
    const { rows } = await sql<{ v: number }>`select nextval('sync_version_seq')::bigint as v`.execute(trx)
    return Number(rows[0]!.v)
  }
  const row = await trx
    .updateTable('sync_version_counter')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow()
  return Number(row.value)
}

/**
 * `count` consecutive versions in one round trip (bulk imports). Ascending; the caller gives
 * them to rows in the order it writes them.
 */
export async function nextVersions(trx: Transaction<Database> | Kysely<Database>, count: number): Promise<number[]> {
  if (count <= 0) return []
  if (isPostgres(trx as Kysely<unknown>)) {
    await lockVersions(trx)
    const { rows } = await sql<{ v: number }>`select nextval('sync_version_seq')::bigint as v from generate_series(1, ${count})`.execute(trx)
    return rows.map((r) => Number(r.v)).sort((a, b) => a - b)
  }
  const row = await trx
    .updateTable('sync_version_counter')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow()
  const last = Number(row.value)
  return Array.from({ length: count }, (_, i) => last - count + 1 + i)
}

const locked = new WeakSet<object>()

async function lockVersions(trx: Transaction<Database> | Kysely<Database>): Promise<void> {
  // One lock per transaction is enough; the WeakSet saves a round trip per row in bulk imports.
  if (locked.has(trx)) return
  await sql`select pg_advisory_xact_lock(${VERSION_LOCK_KEY})`.execute(trx)
  locked.add(trx)
}
