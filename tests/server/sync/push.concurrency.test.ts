/**
 * Two server instances on one PostgreSQL database receive the same records at the same time
 * (a phone retrying through a load balancer). Each record must be applied exactly once.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { connect, type DbHandle } from '../../../server/db/connect.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { PG_URL } from '../../support/testDb.ts'
import { studyRecord } from './pushSupport.ts'

describe('push sync with two server instances on one PostgreSQL database', () => {
  let ctx: TestContext
  let second: { app: App; handle: DbHandle }
  let auth: { authorization: string }

  beforeAll(async () => {
    ctx = await buildTestApp('postgres')
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(ctx.testDb.db)
    const handle = connect({ url: PG_URL, pgSchema: rows[0]!.schema })
    second = { app: await buildApp({ handle }), handle }
    await second.app.ready()
    auth = await signIn(ctx.app, DEMO_LOGINS[0].phone)
  })
  afterAll(async () => {
    await second.app.close()
    await second.handle.db.destroy()
    await ctx.close()
  })

  it('applies each record once when both instances get overlapping batches at the same time', async () => {
    const records = Array.from({ length: 400 }, () => studyRecord())
    const shuffled = [...records].sort(() => Math.random() - 0.5)
    const batches = [records, shuffled, records.slice(100, 300), [...records].reverse(), shuffled.slice(0, 250), records]
    const apps = [ctx.app, second.app]
    const responses = await Promise.all(
      batches.map((batch, i) =>
        apps[i % 2]!.inject({
          method: 'POST',
          url: '/api/v1/sync/push',
          headers: auth,
          payload: { deviceId: 'device-a', outboxCount: batch.length, records: batch },
        }),
      ),
    )
    const applied = new Map<string, number>()
    for (const res of responses) {
      // A retryable 503 is allowed (the client sends again); a 500 is not.
      expect([200, 503]).toContain(res.statusCode)
      if (res.statusCode !== 200) continue
      for (const r of res.json().results as { id: string; status: string }[]) {
        expect(['applied', 'duplicate']).toContain(r.status)
        if (r.status === 'applied') applied.set(r.id, (applied.get(r.id) ?? 0) + 1)
      }
    }
    expect([...applied.values()].every((n) => n === 1)).toBe(true)
    const ids = records.map((r) => r.id)
    const rows = await ctx.testDb.db.selectFrom('study_event').select('id').where('id', 'in', ids).execute()
    expect(rows).toHaveLength(records.length)
    expect(applied.size).toBe(records.length)
  })
})
