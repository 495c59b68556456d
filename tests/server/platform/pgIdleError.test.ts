/**
 * PostgreSQL ending an idle connection (a restart, a failover, an administrator) must not crash
 * the server: the pool drops that connection and the next query opens a new one.
 */
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { connect } from '../../../server/db/connect.ts'
import { adminQuery, PG_URL } from '../../support/testDb.ts'

describe('postgres pool', () => {
  const handle = connect({ url: PG_URL })
  afterAll(() => handle.db.destroy())

  it('survives the database ending an idle connection, and the next query works', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown) => uncaught.push(err)
    process.on('uncaughtException', onUncaught)
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)
      await adminQuery(`select pg_terminate_backend(${rows[0]!.pid})`)
      await new Promise((r) => setTimeout(r, 200))
      expect(uncaught).toEqual([])
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]!.one).toBe(1)
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })
})
