/**
 * How long the applied-record ledger remembers an id, and the rule that keeps exactly-once true
 * after it forgets (docs/sync-protocol.md, "Record age"; docs/scaling.md, "Partitioning").
 *
 * A phone cannot hold a record for ever. A record whose id (UUIDv7) was made more than
 * LEDGER_MAX_AGE_DAYS ago (400 by default) and that the ledger does not hold is refused
 * `TOO_OLD`, never applied; the ledger forgets ids only past that age. Both read the id's own
 * time against the server's clock, so an id the ledger has forgotten can never be applied twice:
 * whenever it comes back, it is too old.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Dialect } from '../../db/connect.ts'
import { idBound, monthStart, partitionMonth, partitionsOf } from '../../db/partitions.ts'

const DAY_MS = 24 * 3600 * 1000
/** Below two months the phone's ordinary weeks offline would start to hit the limit. */
export const MIN_LEDGER_MAX_AGE_DAYS = 60
export const DEFAULT_LEDGER_MAX_AGE_DAYS = 400
/** Rows deleted per statement: short transactions, so pushes never wait long behind the purge. */
const BATCH = 5000

/** LEDGER_MAX_AGE_DAYS, checked: a bad value stops the server before it serves anyone. */
export function ledgerMaxAgeDays(env: NodeJS.ProcessEnv = process.env): number {
  const days = Number(env.LEDGER_MAX_AGE_DAYS ?? DEFAULT_LEDGER_MAX_AGE_DAYS)
  if (!Number.isInteger(days) || days < MIN_LEDGER_MAX_AGE_DAYS) {
    throw new Error(`LEDGER_MAX_AGE_DAYS must be a whole number of days ≥ ${MIN_LEDGER_MAX_AGE_DAYS} (got ${env.LEDGER_MAX_AGE_DAYS})`)
  }
  return days
}

/** Ids below this text were made before the limit: too old to apply, free to forget. */
export function oldestKeptId(maxAgeDays: number, now: number): string {
  return idBound(now - maxAgeDays * DAY_MS)
}

/** Made more than `maxAgeDays` before `now` by the id's own clock. Ids that are not UUIDv7 are refused by the schema before this. */
export function isTooOld(id: string, maxAgeDays: number, now: number): boolean {
  return id < oldestKeptId(maxAgeDays, now)
}

export const TOO_OLD_MESSAGE = (maxAgeDays: number) =>
  `This record was made more than ${maxAgeDays} days ago and can no longer be sent. If it was sent before, it is already on record.`

/**
 * Forgets ledger ids older than the limit, never a younger one. PostgreSQL: drops each monthly
 * partition that ends at or before the limit (whole months: cheap, no dead rows), then deletes
 * the old rows that wait in the DEFAULT partition; the month the limit falls in is kept whole
 * until it is entirely past (its old ids are refused either way). SQLite: deletes in batches.
 * Returns the partitions dropped and the rows deleted.
 */
export async function purgeLedger(db: Kysely<Database>, dialect: Dialect, maxAgeDays: number, now = Date.now()): Promise<{ partitions: string[]; rows: number }> {
  if (maxAgeDays < MIN_LEDGER_MAX_AGE_DAYS) throw new Error(`ledger ids are kept at least ${MIN_LEDGER_MAX_AGE_DAYS} days`)
  const limit = now - maxAgeDays * DAY_MS
  const bound = idBound(limit)
  const partitions: string[] = []
  let table = 'applied_record'
  if (dialect === 'postgres') {
    for (const name of await partitionsOf(db, 'applied_record')) {
      const month = partitionMonth(name)
      if (month !== undefined && monthStart(month, 1) <= limit) {
        await sql`drop table ${sql.table(name)}`.execute(db)
        partitions.push(name)
      }
    }
    table = 'applied_record_default'
  }
  let rows = 0
  for (;;) {
    const result = await sql`delete from ${sql.table(table)} where id in (select id from ${sql.table(table)} where id < ${bound} limit ${BATCH})`.execute(db)
    const n = Number(result.numAffectedRows ?? 0)
    rows += n
    if (n < BATCH) break
  }
  return { partitions, rows }
}
