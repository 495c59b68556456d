/**
 * The data tables of a database, read the same way on SQLite and PostgreSQL: their columns and
 * keys, their rows in keyset-paged batches, and a checksum over a canonical rendering of the
 * rows, so that one table holds the same data on both dialects exactly when the checksums match.
 * Used by db:copy (server/db/copy.ts) to verify a copy and by backup drills to compare a
 * restore with its source.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Dialect } from './connect.ts'

/** Tables that belong to the machinery, not the data: never copied nor compared. */
const NOT_DATA = new Set(['kysely_migration', 'kysely_migration_lock', 'sync_version_counter', 'db_copy'])

export interface TableInfo {
  name: string
  /** Sorted by name: the canonical column order. */
  columns: string[]
  primaryKey: string[]
}

export async function dataTables(db: Kysely<any>, dialect: Dialect): Promise<TableInfo[]> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
    const tables: TableInfo[] = []
    for (const { name } of rows.filter((r) => !NOT_DATA.has(r.name))) {
      const cols = (await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${name})`.execute(db)).rows
      tables.push({
        name,
        columns: cols.map((c) => c.name).sort(),
        primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      })
    }
    return tables
  }
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    join pg_class pc on pc.oid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      -- A partitioned table is read through its parent: its monthly partitions are not tables of their own here.
      and not pc.relispartition
    order by c.table_name, c.column_name`.execute(db)
  const keys = (
    await sql<{ table_name: string; column_name: string }>`
    select k.table_name, k.column_name from information_schema.table_constraints tc
    join information_schema.key_column_usage k on k.constraint_schema = tc.constraint_schema and k.constraint_name = tc.constraint_name
    where tc.table_schema = current_schema() and tc.constraint_type = 'PRIMARY KEY'
    order by k.table_name, k.ordinal_position`.execute(db)
  ).rows
  const byName = new Map<string, TableInfo>()
  for (const r of rows) {
    if (NOT_DATA.has(r.table_name)) continue
    const t = byName.get(r.table_name) ?? { name: r.table_name, columns: [], primaryKey: [] }
    t.columns.push(r.column_name)
    byName.set(r.table_name, t)
  }
  for (const k of keys) byName.get(k.table_name)?.primaryKey.push(k.column_name)
  // JS order, not the server's collation, so both dialects list tables alike.
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1))
}

export async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db)
  return Number(rows[0]!.n)
}

type Row = Record<string, unknown>

/**
 * Every row of a table in batches, paged by its primary key (so each batch is one indexed range
 * read, however deep). The order follows each dialect's collation; checksums do not depend on it.
 */
export async function* readBatches(db: Kysely<any>, table: TableInfo, batchSize: number): AsyncGenerator<Row[]> {
  const pk = table.primaryKey
  const cols = sql.join(table.columns.map((c) => sql.ref(c)))
  const order = sql.join(pk.map((c) => sql.ref(c)))
  let after: Row | undefined
  for (;;) {
    const where = after ? sql`where (${order}) > (${sql.join(pk.map((c) => after![c]))})` : sql``
    const { rows } = await sql<Row>`select ${cols} from ${sql.table(table.name)} ${where} order by ${order} limit ${batchSize}`.execute(db)
    if (rows.length > 0) yield rows
    if (rows.length < batchSize) return
    after = rows[rows.length - 1]
  }
}

/**
 * One value as both dialects agree on it: integers as digits (SQLite numbers, PostgreSQL int4
 * and int8 alike), booleans as 1/0, text as itself (JSON kept as text stays byte-equal), blobs as
 * base64. The type letter keeps the text '1' apart from the number 1.
 */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'n'
  if (typeof value === 'boolean') return value ? 'i1' : 'i0'
  if (typeof value === 'number' || typeof value === 'bigint') return `i${String(value)}`
  if (typeof value === 'string') return `s${value}`
  if (Buffer.isBuffer(value)) return `b${value.toString('base64')}`
  if (value instanceof Date) return `i${value.getTime()}`
  return `j${JSON.stringify(value)}`
}

const MOD = 1n << 256n

/**
 * Row count and an order-free checksum of a table: the sum (mod 2^256) of each row's SHA-256
 * over its canonical values in column-name order. Order-free because SQLite and PostgreSQL sort
 * text differently; a sum rather than XOR so that no two rows can cancel out.
 */
export class TableSum {
  rows = 0
  private sum = 0n

  constructor(private readonly columns: string[]) {}

  add(batch: Row[]): void {
    for (const row of batch) {
      const h = createHash('sha256')
      for (const c of this.columns) h.update(canonical(row[c])).update('\u0000')
      this.sum = (this.sum + BigInt(`0x${h.digest('hex')}`)) % MOD
      this.rows++
    }
  }

  get checksum(): string {
    return this.sum.toString(16).padStart(64, '0')
  }
}

export async function tableChecksum(db: Kysely<any>, table: TableInfo, batchSize = 2000): Promise<{ rows: number; checksum: string }> {
  const sum = new TableSum(table.columns)
  for await (const batch of readBatches(db, table, batchSize)) sum.add(batch)
  return { rows: sum.rows, checksum: sum.checksum }
}

/** Row counts and checksums of every data table: equal maps mean equal data. */
export async function databaseChecksums(db: Kysely<any>, dialect: Dialect): Promise<Record<string, { rows: number; checksum: string }>> {
  const out: Record<string, { rows: number; checksum: string }> = {}
  for (const t of await dataTables(db, dialect)) out[t.name] = await tableChecksum(db, t)
  return out
}
