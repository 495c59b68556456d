/**
 * Monthly partitions of the append-only event tables on PostgreSQL (docs/scaling.md,
 * "Partitioning"). SQLite keeps one table each: it serves one county.
 *
 * The partition key is the record's own id, a UUIDv7 made on the phone, whose first 48 bits are
 * its time in ms: `PARTITION BY RANGE (id)` with month bounds written as id prefixes. So
 * - the primary key stays `(id)` alone (it contains the partition key), `ON CONFLICT (id)` stays
 *   exact, and the ledger lookup by id reads one partition's index: the same id always falls in
 *   the same partition, whenever it comes back;
 * - the ledger's retention and the push's `TOO_OLD` rule read the same clock (the id's), so a
 *   partition is only dropped when every id in it would be refused anyway (exactly-once holds).
 * The key columns are `COLLATE "C"` so ranges compare bytes, as JavaScript's `<` does.
 * An id outside every month (a phone clock years off, an id that is not a UUIDv7) lands in the
 * table's DEFAULT partition: nothing ever fails for want of a partition.
 *
 * Migration 027 calls these functions: change them only in ways that keep that migration right.
 */
import { sql, type Kysely } from 'kysely'

/** The partitioned tables and their key (the id of the pushed record the row came from). */
export const PARTITIONED = [
  { table: 'applied_record', key: 'id' },
  { table: 'study_event', key: 'id' },
  { table: 'attendance_mark', key: 'record_id' },
  { table: 'checkin', key: 'id' },
  { table: 'quiz_attempt', key: 'id' },
] as const
export type Partitioned = (typeof PARTITIONED)[number]

/** How many months ahead of this one the server keeps partitions ready. */
export const MONTHS_AHEAD = 3

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7/

/**
 * The smallest UUIDv7 text made at `ms` or later, as a prefix ("0193a1b2-c000"): every id made
 * at or after `ms` compares ≥ it, every id made before compares <. Lower-case hex, as the
 * protocol requires of ids.
 */
export function idBound(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`
}

/** The time (ms) a UUIDv7 was made, or undefined for any other id. */
export function idTime(id: string): number | undefined {
  if (!UUIDV7.test(id)) return undefined
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
}

/** Start (UTC) of the month `ms` falls in, moved by `add` months. */
export function monthStart(ms: number, add = 0): number {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1)
}

/** `applied_record_p202612`: one partition per table and month. */
export function partitionName(table: string, month: number): string {
  const d = new Date(month)
  return `${table}_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** The month a partition name stands for, or undefined for the DEFAULT partition. */
export function partitionMonth(name: string): number | undefined {
  const m = /_p(\d{4})(\d{2})$/.exec(name)
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) : undefined
}

/** The partitions a table has now, by name. */
export async function partitionsOf(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
    where p.relname = ${table} and p.relnamespace = current_schema()::regnamespace`.execute(db)
  return rows.map((r) => r.name)
}

/**
 * Makes the partition of `table` for the month starting at `month`, if missing. Rows of that
 * month already in the DEFAULT partition (a record that arrived before its month had a
 * partition) move into it in the same transaction. Safe to run from several server instances at
 * once: a transaction-scoped advisory lock (no session state, PgBouncer-safe) serialises them.
 */
export async function ensureMonthPartition(db: Kysely<any>, table: string, key: string, month: number): Promise<boolean> {
  const name = partitionName(table, month)
  const from = idBound(month)
  const to = idBound(monthStart(month, 1))
  const fallback = `${table}_default`
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ${`:partition:${table}`}))`.execute(trx)
    if ((await partitionsOf(trx, table)).includes(name)) return false
    const stray = await sql`select 1 from ${sql.table(fallback)} where ${sql.ref(key)} >= ${from} and ${sql.ref(key)} < ${to} limit 1`.execute(trx)
    if (stray.rows.length > 0) await sql`alter table ${sql.table(table)} detach partition ${sql.table(fallback)}`.execute(trx)
    await sql`create table ${sql.table(name)} partition of ${sql.table(table)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx)
    if (stray.rows.length > 0) {
      const inRange = sql`${sql.ref(key)} >= ${from} and ${sql.ref(key)} < ${to}`
      await sql`insert into ${sql.table(table)} select * from ${sql.table(fallback)} where ${inRange}`.execute(trx)
      await sql`delete from ${sql.table(fallback)} where ${inRange}`.execute(trx)
      await sql`alter table ${sql.table(table)} attach partition ${sql.table(fallback)} default`.execute(trx)
    }
    return true
  })
}

/**
 * Partitions for every month from `from` to `to` (inclusive) in every partitioned table. The
 * server runs it at start and daily for this month and MONTHS_AHEAD more; the migration and the
 * benches for the months their data covers. Returns the partitions made.
 */
export async function ensurePartitions(db: Kysely<any>, from: number, to: number, tables: readonly Partitioned[] = PARTITIONED): Promise<string[]> {
  const made: string[] = []
  for (let month = monthStart(from); month <= to; month = monthStart(month, 1)) {
    for (const { table, key } of tables) {
      if (await ensureMonthPartition(db, table, key, month)) made.push(partitionName(table, month))
    }
  }
  return made
}

/** This month and MONTHS_AHEAD more: what the server keeps ready. */
export function ensurePartitionsAhead(db: Kysely<any>, now = Date.now()): Promise<string[]> {
  return ensurePartitions(db, now, monthStart(now, MONTHS_AHEAD))
}

/** Runs `work` in a transaction, or in the caller's when there is one (a migration runs in one). */
function inTransaction<T>(db: Kysely<any>, work: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}
