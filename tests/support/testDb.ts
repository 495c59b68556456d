/**
 * A fresh, migrated database per test file on either dialect. PostgreSQL tests each get their
 * own schema in the `test` database (started by this machine kind) and drop it afterwards.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { connect, type Dialect, type DbHandle } from '../../server/db/connect.ts'
import { migrateToLatest } from '../../server/db/migrate.ts'

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const DIALECTS: Dialect[] = ['sqlite', 'postgres']

export interface TestDb extends DbHandle {
  drop(): Promise<void>
}

/** `migrate: false` leaves the database empty (tests of the migration runner itself). */
export async function openTestDb(dialect: Dialect, { migrate = true } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const handle = connect({ url: ':memory:' })
    if (migrate) await migrateToLatest(handle.db)
    return { ...handle, drop: () => handle.db.destroy() }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  await adminQuery(`create schema ${schema}`)
  const handle = connect({ url: PG_URL, pgSchema: schema })
  if (migrate) await migrateToLatest(handle.db)
  return {
    ...handle,
    drop: async () => {
      await handle.db.destroy()
      await adminQuery(`drop schema ${schema} cascade`)
    },
  }
}

/** One statement on the test server as its superuser (create/drop schemas and databases). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}
