/**
 * A pull with nothing new writes nothing (issue 14): phones pull every few minutes, and at a
 * province's morning peak those pulls must not queue behind pushes for the database's writer.
 */
import type { KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { nextVersion } from '../../../server/db/version.ts'
import { PULL_TOUCH_MS } from '../../../server/features/sync/pull.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { PullResponse } from '../../../src/protocol/content.ts'
import { buildTestApp, foldReports, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode'])

describe.each(DIALECTS)('a pull on %s', (dialect) => {
  let ctx: TestContext
  let app: App
  let member: { authorization: string }
  let memberId: string
  /** The tables every statement of the app since the last reset wrote to. */
  let written: string[] = []
  /** Statements the app ran since the last reset (a transaction's begin and commit not counted). */
  let statements = 0

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const spy: KyselyPlugin = {
      transformQuery: (args) => {
        statements++
        if (WRITES.has(args.node.kind)) written.push(JSON.stringify(args.node).match(/"identifier"\s*:\s*\{[^}]*"name"\s*:\s*"([^"]+)"/)?.[1] ?? '?')
        return args.node
      },
      transformResult: async (args) => args.result,
    }
    // The same database seen through the spy, served by a second app.
    app = await buildApp({ handle: { ...ctx.testDb, db: ctx.testDb.db.withPlugin(spy) }, reportFoldMs: false })
    member = await signIn(app, DEMO_LOGINS[0].phone)
    memberId = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!.id
  })
  afterAll(async () => {
    await app.close()
    await ctx.close()
  })

  const pull = async (since?: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/sync/pull?deviceId=phone-1${since ? `&since=${since}` : ''}`, headers: member })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as PullResponse
  }
  const lastSync = async () =>
    (await ctx.testDb.db.selectFrom('report_person_stats').select('last_sync_at').where('person_id', '=', memberId).executeTakeFirst())?.last_sync_at ?? null

  it('writes the device down on its first pull and then not again within the interval', async () => {
    const first = await pull()
    expect(written).toContain('sync_device')
    await foldReports(ctx)
    const seenAt = await lastSync()
    expect(seenAt).not.toBeNull()

    written = []
    const again = await pull(first.cursor)
    expect(again.changes).toEqual([])
    expect(written).toEqual([])
    await foldReports(ctx)
    expect(await lastSync()).toBe(seenAt)

    // Seen a few minutes ago (a phone's periodic pull): still nothing to write.
    await ctx.testDb.db.updateTable('sync_device').set({ last_pull_at: Date.now() - PULL_TOUCH_MS / 2 }).where('device_id', '=', 'phone-1').execute()
    written = []
    await pull(first.cursor)
    expect(written).toEqual([])
  })

  it('writes it down again once the interval has passed', async () => {
    await ctx.testDb.db.updateTable('sync_device').set({ last_pull_at: Date.now() - PULL_TOUCH_MS - 1000 }).where('device_id', '=', 'phone-1').execute()
    written = []
    const before = Date.now()
    await pull()
    expect(written).toContain('sync_device')
    await foldReports(ctx)
    expect(await lastSync()).toBeGreaterThanOrEqual(before)
  })

  it('answers a phone that has everything with one read beside the session, also after a change it may not see', async () => {
    const first = await pull()
    const unit = ctx.seed.units.find((u) => u.id === ctx.seed.people.find((p) => p.id === memberId)!.org_unit_id)!
    const otherBranch = ctx.seed.units.find((u) => u.kind === 'branch' && !unit.path.startsWith(u.path))!
    statements = 0
    expect((await pull(first.cursor)).changes).toEqual([])
    // The session's lookup and the pull's one look: no table is read, nothing is written.
    expect(statements).toBe(2)

    await ctx.testDb.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('assignment')
        .values({ id: 'a-elsewhere', course_id: 'rural-safety', due_at: null, org_unit_id: otherBranch.id, version: await nextVersion(trx), published_at: 0, deleted_at: null, content_hash: '' })
        .execute()
    })
    // The next pull reads the tables, finds nothing of the member's, and moves the cursor past it.
    const past = await pull(first.cursor)
    expect(past.changes).toEqual([])
    expect(past.cursor).not.toBe(first.cursor)
    statements = 0
    expect((await pull(past.cursor)).changes).toEqual([])
    expect(statements).toBe(2)
  })
})
