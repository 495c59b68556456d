import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { assertNoUnfinishedCopy, copyDatabase, CopyError } from '../../../server/db/copy.ts'
import { nextVersion } from '../../../server/db/version.ts'
import { databaseChecksums } from '../../../server/db/tables.ts'
import { importContent } from '../../../server/features/content/import.ts'
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../../server/seed/demo.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { signIn } from '../../support/testApp.ts'
import { openTestDb, type TestDb } from '../../support/testDb.ts'
import { MemoryPhone, pullPageVia, scratch } from '../sync/pullSupport.ts'
import { studyRecord } from '../sync/pushSupport.ts'
import { openSource, type Source } from './support.ts'

describe('db:copy from SQLite to PostgreSQL', () => {
  let src: Source
  let target: TestDb
  let member: { authorization: string }
  let phone: MemoryPhone
  let pushedOnSqlite: PushRecord[]
  const push = (app: App, records: PushRecord[]) =>
    app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone-1', outboxCount: records.length, records } })
  const statuses = async (app: App, records: PushRecord[]) => (await push(app, records)).json().results.map((r: { status: string }) => r.status)

  beforeAll(async () => {
    src = await openSource('sqlite')
    await importContent(src.testDb.db)
    member = await signIn(src.app, DEMO_LOGINS[0].phone)
    // The phone syncs against SQLite: pulls everything (in pages) and pushes its outbox.
    phone = new MemoryPhone(src.app, member, 40)
    await phone.pull()
    pushedOnSqlite = Array.from({ length: 25 }, () => studyRecord())
    expect(await statuses(src.app, pushedOnSqlite)).toEqual(pushedOnSqlite.map(() => 'applied'))
    target = await openTestDb('postgres')
  })
  afterAll(async () => {
    await src.close()
    await target.drop()
  })

  it('survives a kill half-way: the target is refused by the server until a rerun finishes it, and then equals the source', async () => {
    let batches = 0
    let killedIn = ''
    const killed = copyDatabase(src.testDb, target, {
      batchSize: 50,
      onProgress: ({ table }) => {
        if (++batches === 6) {
          killedIn = table
          throw new Error('killed')
        }
      },
    })
    await expect(killed).rejects.toThrow('killed')
    await expect(assertNoUnfinishedCopy(target.db)).rejects.toThrow(/unfinished copy from SQLite/)

    const copied = new Set<string>()
    const report = await copyDatabase(src.testDb, target, { batchSize: 50, onProgress: (p) => copied.add(p.table) })
    // The finished tables are kept, the one killed half-way is copied again from its start.
    expect(report.resumed.length).toBeGreaterThan(0)
    expect(report.resumed.filter((t) => copied.has(t))).toEqual([])
    expect(copied.has(killedIn)).toBe(true)
    await assertNoUnfinishedCopy(target.db)
    expect(await databaseChecksums(target.db, 'postgres')).toEqual(await databaseChecksums(src.testDb.db, 'sqlite'))
  })

  it('refuses a second copy into the finished target, and any copy into a database that holds data', async () => {
    await expect(copyDatabase(src.testDb, target)).rejects.toThrow(/already holds a finished, verified copy/)
    const other = await openTestDb('postgres')
    try {
      await other.db.insertInto('rate_limit').values({ key: 'x', window_start: 1, hits: 1 }).execute()
      const err = await copyDatabase(src.testDb, other).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CopyError)
      expect((err as Error).message).toMatch(/not empty \(table rate_limit has rows\)/)
      expect(await other.db.selectFrom('person').select('id').execute()).toEqual([])
    } finally {
      await other.drop()
    }
  })

  it('lets the same phone continue on PostgreSQL: its cursor pulls nothing twice and skips nothing, an old push is a duplicate, new pushes apply', async () => {
    const pgApp = await buildApp({ handle: target })
    try {
      // Same session token, same cursor: nothing new yet.
      const page = await pullPageVia(pgApp, member, phone.cursor)
      expect(page.changes).toEqual([])
      // A change made on PostgreSQL gets a version above every copied one.
      const entry = await target.db.selectFrom('pocket_entry').select('id').orderBy('id').executeTakeFirstOrThrow()
      await target.db.transaction().execute(async (trx) => {
        await trx.updateTable('pocket_entry').set({ title: 'changed after the move', version: await nextVersion(trx) }).where('id', '=', entry.id).execute()
      })
      const next = await pullPageVia(pgApp, member, page.cursor)
      expect(next.changes.map((c) => c.id)).toEqual([entry.id])
      phone.apply(page)
      phone.apply(next)
      expect(phone.rows).toEqual(await scratch(pgApp, member))

      expect(await statuses(pgApp, pushedOnSqlite)).toEqual(pushedOnSqlite.map(() => 'duplicate'))
      const fresh = [studyRecord(), studyRecord()]
      expect(await statuses(pgApp, fresh)).toEqual(['applied', 'applied'])
      expect((await target.db.selectFrom('study_event').select('id').execute()).length).toBe(27)
      // New sessions and audit entries take identity numbers past the copied ones.
      const res = await pgApp.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: DEMO_LOGINS[0].phone, password: `${DEMO_PASSWORD}x`, deviceName: 't' } })
      expect(res.statusCode).toBe(401)
      await signIn(pgApp, DEMO_LOGINS[5].phone)
    } finally {
      await pgApp.close()
    }
  })
})
