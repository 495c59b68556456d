/**
 * Whole databases for backup and copy tests. pg_dump and pg_restore work on a database, not on
 * the per-file schema other tests use, so PostgreSQL sources and targets here are fresh
 * databases in the test server (created and dropped by the test file).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../../server/app.ts'
import { connect, type Dialect, type DbHandle } from '../../../server/db/connect.ts'
import { migrateToLatest } from '../../../server/db/migrate.ts'
import { seedDemo } from '../../../server/seed/demo.ts'
import { TEST_COST, type TestContext } from '../../support/testApp.ts'
import { adminQuery, PG_URL } from '../../support/testDb.ts'

const made: string[] = []

/** A new directory under the system's temp dir; removeTempDirs() deletes all of them. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pps-${prefix}-`))
  made.push(dir)
  return dir
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
}

/** An empty PostgreSQL database of its own; `drop` removes it. */
export async function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pps_${randomBytes(6).toString('hex')}`
  await adminQuery(`create database ${name}`)
  const u = new URL(PG_URL)
  u.pathname = `/${name}`
  return { url: u.toString(), drop: () => adminQuery(`drop database ${name} with (force)`) }
}

export interface Source extends TestContext {
  /** postgres:// URL of the source database; the SQLite source is in memory. */
  url?: string
}

/** A seeded, running app on a whole database of the given dialect (PostgreSQL: its own database). */
export async function openSource(dialect: Dialect): Promise<Source> {
  const pgDb = dialect === 'postgres' ? await freshPgDatabase() : undefined
  const handle: DbHandle = connect({ url: pgDb?.url ?? ':memory:' })
  await migrateToLatest(handle.db)
  const seed = await seedDemo(handle.db, { passwordCost: TEST_COST })
  // No report folder: it would change the source after the backup, and the comparison with it.
  const app = await buildApp({ handle, reportFoldMs: false })
  await app.ready()
  return {
    app,
    seed,
    url: pgDb?.url,
    testDb: { ...handle, drop: () => handle.db.destroy() },
    async close() {
      await app.close()
      await handle.db.destroy()
      await pgDb?.drop()
    },
  }
}
