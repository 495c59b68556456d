/**
 * `npm run db:copy -- --from <sqlite file> --to postgres://…`: moves the data of the embedded
 * SQLite database into a migrated, empty PostgreSQL database, keeping every id, version and
 * session, so phones keep syncing with the cursors and outboxes they have.
 *
 * How an interruption stays harmless (the `db_copy` table of migration 029, in the target):
 * - each table is copied in ONE PostgreSQL transaction, in batches, and its `db_copy` row (row
 *   count and checksum) is written in that same transaction: a table is either complete and
 *   marked, or absent;
 * - a rerun resumes: marked tables are skipped, the rest copied; `--fresh` empties the target
 *   and starts again instead;
 * - after the last table, the sequences are set past the copied values, every table is compared
 *   with the source (row count and checksum, server/db/tables.ts), and only then is the row
 *   `@complete` written. The server refuses to start on a database with `db_copy` rows but no
 *   `@complete` (assertNoUnfinishedCopy), so a half-copied database never passes for a whole one.
 */
import { sql, type Kysely } from 'kysely'
import type { DbHandle } from './connect.ts'
import type { Database } from './database.ts'
import { countRows, dataTables, readBatches, TableSum, tableChecksum, type TableInfo } from './tables.ts'

const COMPLETE = '@complete'
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 60_000

/** A refusal the operator can act on: the CLI prints the message alone. */
export class CopyError extends Error {}

export interface CopyProgress {
  table: string
  copied: number
  total: number
}

export interface CopyOptions {
  batchSize?: number
  /** Empty the target (an unfinished earlier copy) and start again, rather than resume. */
  fresh?: boolean
  /** After each batch is written (inside the table's transaction). */
  onProgress?: (p: CopyProgress) => void
}

export interface CopyReport {
  tables: { name: string; rows: number; checksum: string }[]
  resumed: string[]
}

export async function copyDatabase(source: DbHandle, target: DbHandle, { batchSize = 1000, fresh = false, onProgress }: CopyOptions = {}): Promise<CopyReport> {
  if (source.dialect !== 'sqlite' || target.dialect !== 'postgres') throw new CopyError('db:copy copies a SQLite database into a PostgreSQL one')
  const src = source.db as Kysely<any>
  const dst = target.db as Kysely<any>
  await sameSchema(src, dst)
  const tables = await sameTables(src, dst)

  if (fresh) {
    await sql`truncate ${sql.join([...tables.map((t) => sql.table(t.name)), sql.table('db_copy')])} restart identity`.execute(dst)
  }
  const marked = new Map((await target.db.selectFrom('db_copy').selectAll().execute()).map((r) => [r.table_name, r]))
  if (marked.has(COMPLETE)) throw new CopyError('the target already holds a finished, verified copy: nothing to do (use --fresh to copy again over it)')
  for (const t of tables) {
    if (!marked.has(t.name) && (await countRows(dst, t.name)) > 0) {
      throw new CopyError(
        marked.size > 0
          ? `table ${t.name} in the target has rows but no mark of a finished copy: run again with --fresh`
          : `the target database is not empty (table ${t.name} has rows): db:copy needs a migrated, empty PostgreSQL database`,
      )
    }
  }

  for (const t of await dependencyOrder(src, tables)) {
    if (marked.has(t.name)) continue
    const total = await countRows(src, t.name)
    const size = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMS / t.columns.length)))
    await target.db.transaction().execute(async (trx) => {
      const sum = new TableSum(t.columns)
      for await (const batch of sourceBatches(src, t, size)) {
        await (trx as Kysely<any>).insertInto(t.name).values(batch).execute()
        sum.add(batch)
        onProgress?.({ table: t.name, copied: sum.rows, total })
      }
      await trx.insertInto('db_copy').values({ table_name: t.name, rows: sum.rows, checksum: sum.checksum, finished_at: Date.now() }).execute()
    })
  }

  await setSequences(src, dst)
  const report: CopyReport = { tables: [], resumed: [...marked.keys()] }
  const wrong: string[] = []
  for (const t of tables) {
    const [a, b] = [await tableChecksum(src, t), await tableChecksum(dst, t)]
    if (a.rows !== b.rows || a.checksum !== b.checksum) wrong.push(`${t.name} (source ${a.rows} rows, target ${b.rows})`)
    report.tables.push({ name: t.name, ...b })
  }
  if (wrong.length > 0) {
    throw new CopyError(`the copy differs from the source in ${wrong.join(', ')}: did the source change since the copy began? Stop the server and run again with --fresh`)
  }
  const totalRows = report.tables.reduce((n, t) => n + t.rows, 0)
  await target.db.insertInto('db_copy').values({ table_name: COMPLETE, rows: totalRows, checksum: '', finished_at: Date.now() }).execute()
  return report
}

/** Called at server start: a database in the middle of a db:copy must not be served. */
export async function assertNoUnfinishedCopy(db: Kysely<Database>): Promise<void> {
  const rows = await db.selectFrom('db_copy').select('table_name').execute()
  if (rows.length > 0 && !rows.some((r) => r.table_name === COMPLETE)) {
    throw new Error(
      'This database holds an unfinished copy from SQLite (npm run db:copy was interrupted or its verification failed). ' +
        'Run the same db:copy command again to finish it, or point DATABASE_URL back at the SQLite file.',
    )
  }
}

async function migrationNames(db: Kysely<any>): Promise<string[]> {
  return (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name)
}

async function sameSchema(src: Kysely<any>, dst: Kysely<any>): Promise<void> {
  const [a, b] = [await migrationNames(src), await migrationNames(dst)]
  const missing = b.filter((m) => !a.includes(m))
  const extra = a.filter((m) => !b.includes(m))
  if (missing.length > 0) {
    throw new CopyError(`the SQLite database lacks migrations ${missing.join(', ')}: start this version of the server on it once (it migrates at start), stop it, and copy again`)
  }
  if (extra.length > 0) throw new CopyError(`the SQLite database has migrations this version does not know (${extra.join(', ')}): copy with the version that made them`)
}

async function sameTables(src: Kysely<any>, dst: Kysely<any>): Promise<TableInfo[]> {
  const [a, b] = [await dataTables(src, 'sqlite'), await dataTables(dst, 'postgres')]
  const render = (ts: TableInfo[]) => ts.map((t) => `${t.name}(${t.columns.join(',')})`).join(' ')
  if (render(a) !== render(b)) throw new CopyError('the two databases have different tables or columns although their migrations match; copy refused')
  return a
}

/** Referenced tables before the tables that reference them (FKs read from SQLite). */
async function dependencyOrder(src: Kysely<any>, tables: TableInfo[]): Promise<TableInfo[]> {
  const needs = new Map<string, Set<string>>()
  for (const t of tables) {
    const fks = await foreignKeys(src, t.name)
    needs.set(t.name, new Set(fks.map((f) => f.table).filter((p) => p !== t.name)))
  }
  const order: TableInfo[] = []
  const left = [...tables]
  while (left.length > 0) {
    const ready = left.filter((t) => [...needs.get(t.name)!].every((p) => order.some((o) => o.name === p)))
    if (ready.length === 0) throw new CopyError(`foreign keys form a cycle among ${left.map((t) => t.name).join(', ')}`)
    for (const t of ready) left.splice(left.indexOf(t), 1)
    order.push(...ready)
  }
  return order
}

async function foreignKeys(src: Kysely<any>, table: string) {
  return (await sql<{ table: string; from: string; to: string }>`select "table", "from", "to" from pragma_foreign_key_list(${table})`.execute(src)).rows
}

/**
 * The rows of a table in batches. A table that references itself (the org tree) is read whole
 * and ordered parents first, since PostgreSQL checks each batch's references when it is written.
 */
async function* sourceBatches(src: Kysely<any>, t: TableInfo, size: number): AsyncGenerator<Record<string, unknown>[]> {
  const self = (await foreignKeys(src, t.name)).find((f) => f.table === t.name)
  if (!self) {
    yield* readBatches(src, t, size)
    return
  }
  const rows: Record<string, unknown>[] = []
  for await (const batch of readBatches(src, t, size)) rows.push(...batch)
  const byKey = new Map(rows.map((r) => [r[self.to], r]))
  const ordered: Record<string, unknown>[] = []
  const seen = new Set<Record<string, unknown>>()
  const visit = (r: Record<string, unknown>): void => {
    if (seen.has(r)) return
    seen.add(r)
    const parent = byKey.get(r[self.from])
    if (parent) visit(parent)
    ordered.push(r)
  }
  rows.forEach(visit)
  for (let i = 0; i < ordered.length; i += size) yield ordered.slice(i, i + size)
}

/**
 * Identity columns and the sync version sequence continue after the copied values: the next
 * audit entry or attendance mark gets a fresh number, and the next content change a version
 * above every cursor a phone holds (else phones would skip it).
 */
async function setSequences(src: Kysely<any>, dst: Kysely<any>): Promise<void> {
  const identities = (
    await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES'`.execute(dst)
  ).rows
  for (const { table_name: t, column_name: c } of identities) {
    await sql`select setval(pg_get_serial_sequence(${t}, ${c}), coalesce((select max(${sql.ref(c)}) from ${sql.table(t)}), 0) + 1, false)`.execute(dst)
  }
  const counter = (await sql<{ value: number }>`select value from sync_version_counter where id = 1`.execute(src)).rows[0]?.value ?? 0
  await sql`select setval('sync_version_seq', ${Number(counter) + 1}, false)`.execute(dst)
}
