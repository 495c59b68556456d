/**
 * `npm run db:copy -- --from <sqlite file> --to postgres://… [--fresh] [--batch 1000]`
 * (server/db/copy.ts says how an interruption is handled). Stop the server first: rows written
 * to SQLite during the copy would make the verification fail.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { connect, isPostgresUrl } from './connect.ts'
import type { Database } from './database.ts'
import { copyDatabase, CopyError } from './copy.ts'
import { migrateToLatest } from './migrate.ts'

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, fresh: { type: 'boolean' }, batch: { type: 'string' } } })
if (!values.from || !values.to || !isPostgresUrl(values.to)) {
  console.error('usage: npm run db:copy -- --from <sqlite file> --to postgres://user@host/db [--fresh] [--batch 1000]')
  process.exit(2)
}
if (!existsSync(values.from)) {
  console.error(`Refused: ${values.from} does not exist`)
  process.exit(1)
}

// Read-only: the copy never changes the SQLite file, which stays the way back.
const sqlite = new SQLite(values.from, { readonly: true, fileMustExist: true })
const source = { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), dialect: 'sqlite' as const }
const target = connect({ url: values.to })
const shown = new URL(values.to)
if (shown.password) shown.password = '***'
const tty = process.stdout.isTTY
try {
  await migrateToLatest(target.db)
  console.log(`Copying ${values.from} → ${shown}`)
  const started = Date.now()
  const report = await copyDatabase(source, target, {
    fresh: values.fresh,
    batchSize: values.batch ? Number(values.batch) : undefined,
    onProgress: ({ table, copied, total }) => {
      const line = `  ${table}: ${copied} / ${total} rows`
      if (tty) process.stdout.write(`\r${line}\x1b[K`)
      else if (copied === total) console.log(line)
    },
  })
  if (tty) process.stdout.write('\r\x1b[K')
  if (report.resumed.length > 0) console.log(`Resumed an interrupted copy: ${report.resumed.length} tables were already done.`)
  const rows = report.tables.reduce((n, t) => n + t.rows, 0)
  console.log(`Copied and verified ${report.tables.length} tables, ${rows} rows (row counts and checksums equal) in ${((Date.now() - started) / 1000).toFixed(1)} s.

Now point the server at PostgreSQL: in its environment (systemd unit, .env …) set
  DATABASE_URL=${shown}
and restart it. Phones keep syncing: their sessions, cursors and records are all there.
Keep ${values.from} untouched until you have checked the server on PostgreSQL.`)
} catch (err) {
  if (!(err instanceof CopyError)) throw err
  console.error(`\nRefused: ${err.message}`)
  process.exitCode = 1
} finally {
  await target.db.destroy()
  sqlite.close()
}
