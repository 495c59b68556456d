/**
 * Report summaries as an asynchronous projection (issue 14): pushes mark, a folder folds. After any
 * workload, folding leaves the summaries equal to a rebuild from the data, also when a fold dies
 * half-way or two server instances fold at once.
 */
import { sql, type KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../server/app.ts'
import { connect } from '../../../server/db/connect.ts'
import { createSession } from '../../../server/features/auth/auth.repository.ts'
import { foldAllReportMarks, foldReportMarks } from '../../../server/features/reports/reportFold.ts'
import { refreshAllReportStats } from '../../../server/features/reports/reportStats.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { UnitReport } from '../../../src/protocol/reports.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, foldReports, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS, PG_URL } from '../../support/testDb.ts'

type Headers = { authorization: string }
const HOUR = 3600_000

/** A small deterministic generator, so a failing workload can be read back from its seed. */
function random(seed: number) {
  let s = seed >>> 0
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32)
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!, int: (n: number) => Math.floor(next() * n) }
}

describe.each(DIALECTS)('report projection on %s', (dialect) => {
  let ctx: TestContext
  let leader: Headers
  let secretary: Headers
  let group: string
  /** The group's members, each with a session of their own. */
  let members: { id: string; headers: Headers }[]

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    ;[leader, secretary] = await Promise.all([signIn(ctx.app, DEMO_LOGINS[2].phone), signIn(ctx.app, DEMO_LOGINS[3].phone)])
    group = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!.org_unit_id
    const inGroup = ctx.seed.people.filter((p) => p.org_unit_id === group && p.status === 'active').slice(0, 6)
    members = await Promise.all(
      inGroup.map(async (p) => ({ id: p.id, headers: { authorization: `Bearer ${(await createSession(ctx.testDb.db, p.id, 'test')).token}` } })),
    )
  })
  afterAll(() => ctx.close())

  /** Sends a batch as a phone does: a 503 (PostgreSQL broke a deadlock between two batches) is sent again. */
  const push = async (headers: Headers, records: PushRecord[]): Promise<void> => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'phone', outboxCount: records.length, records } })
    if (res.statusCode === 503) return push(headers, records)
    expect(res.statusCode, res.body).toBe(200)
  }
  const record = (kind: string, payload: unknown): PushRecord => ({ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'phone' })
  const study = (i: number) => record('study_event', { lessonId: `l${i % 3}`, courseId: 'c1', kind: i % 4 === 0 ? 'completed' : 'studied', seconds: 10 + i })
  const report = async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${group}`, headers: secretary })).json() as UnitReport

  /** Every summary row; units with no members are left out (a rebuild drops their rows of zeros). */
  const summaries = () => {
    const db = ctx.testDb.db
    return Promise.all([
      db.selectFrom('report_person_stats').selectAll().orderBy('person_id').execute(),
      db.selectFrom('report_unit_stats').selectAll().where('members', '>', 0).orderBy('org_unit_id').execute(),
      db.selectFrom('report_unit_meetings').selectAll().orderBy('org_unit_id').orderBy('year').orderBy('type').execute(),
      db.selectFrom('report_course_progress').selectAll().orderBy('person_id').orderBy('course_id').execute(),
    ])
  }
  const expectEqualToRebuild = async () => {
    const projected = await summaries()
    await refreshAllReportStats(ctx.testDb.db)
    expect(await summaries()).toEqual(projected)
  }
  const marksLeft = async () => Number((await ctx.testDb.db.selectFrom('report_mark').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  it('says how current the figures are: a push counts once folded, and until then asOf is when it arrived', async () => {
    await foldReports(ctx)
    const before = await report()
    expect(before.asOf).toBe(before.generatedAt)
    const sentAt = Date.now()
    await push(members[0]!.headers, [study(1), study(2)])
    const lagging = await report()
    expect(lagging.asOf).toBeGreaterThanOrEqual(sentAt)
    expect(lagging.asOf).toBeLessThanOrEqual(lagging.generatedAt)
    await foldReports(ctx)
    const current = await report()
    expect(current.asOf).toBe(current.generatedAt)
    expect(current.freshness.newestSyncAt).toBeGreaterThanOrEqual(sentAt)
    expect(current.figures.behind).toBe(before.figures.behind - 1)
  })

  it('brings the figures up to date by itself within moments when the server runs its folder, and stops with it', async () => {
    const served = await buildApp({ handle: ctx.testDb, reportFoldMs: 20 })
    try {
      const sent = await served.inject({ method: 'POST', url: '/api/v1/sync/push', headers: members[3]!.headers, payload: { deviceId: 'phone', outboxCount: 1, records: [study(9)] } })
      expect(sent.statusCode).toBe(200)
      await expect.poll(marksLeft, { timeout: 5000, interval: 20 }).toBe(0)
    } finally {
      await served.close()
    }
  })

  it('equals a rebuild after a random workload of pushes of mixed kinds, corrections and partial folds', async () => {
    const rnd = random(20261203)
    const meetings: { meetingId: string; code: string }[] = []
    for (let round = 0; round < 12; round++) {
      const sends: Promise<void>[] = []
      // Four phones at once: members studying and checking in, the leader holding meetings.
      for (let phone = 0; phone < 4; phone++) {
        const r = rnd.int(10)
        if (r < 2 || meetings.length === 0) {
          const m = { meetingId: uuidv7(), code: String(100000 + rnd.int(900000)) }
          meetings.push(m)
          const type = rnd.pick(['group_meeting', 'theme_day'] as const)
          const at = { startsAt: Date.now() - HOUR, endsAt: Date.now() + HOUR }
          sends.push(push(leader, [record('meeting_create', { meetingId: m.meetingId, checkinCode: m.code, orgUnitId: group, type, ...at, place: '村部', topic: '学习' })]))
        } else if (r < 5) {
          // A roll call, often a correction of an earlier one for the same meeting.
          const m = rnd.pick(meetings)
          const marks = members.filter(() => rnd.next() < 0.6).map((p) => ({ personId: p.id, status: rnd.pick(['present', 'leave', 'absent', 'remote'] as const) }))
          if (marks.length) sends.push(push(leader, [record('attendance_mark', { meetingId: m.meetingId, orgUnitId: group, marks })]))
        } else if (r < 6) {
          const m = rnd.pick(meetings)
          sends.push(push(rnd.pick(members).headers, [record('checkin', { code: m.code, meetingId: m.meetingId })]))
        } else {
          sends.push(push(rnd.pick(members).headers, Array.from({ length: 1 + rnd.int(20) }, (_, i) => study(rnd.int(100) + i))))
        }
      }
      await Promise.all(sends)
      // Folds in small batches between rounds: a mark's person pushes again before it is folded.
      if (rnd.next() < 0.5) await foldReportMarks(ctx.testDb.db, 1 + rnd.int(4))
    }
    expect(await marksLeft()).toBeGreaterThan(0)
    await foldReports(ctx)
    expect(await marksLeft()).toBe(0)
    await expectEqualToRebuild()
  })

  it('keeps the marks when a fold dies half-way, and the next fold catches up', async () => {
    await foldReports(ctx)
    const before = await summaries()
    await push(members[1]!.headers, [study(5), study(8)])
    await push(leader, [record('attendance_mark', { meetingId: uuidv7(), orgUnitId: group, marks: [{ personId: members[2]!.id, status: 'present' }] })])
    const waiting = await marksLeft()
    // The fold recomputes the summaries, then dies before it could delete its marks.
    const dies: KyselyPlugin = {
      transformQuery: (args) => {
        if (args.node.kind === 'DeleteQueryNode' && JSON.stringify(args.node).includes('"report_mark"')) throw new Error('worker killed')
        return args.node
      },
      transformResult: async (args) => args.result,
    }
    await expect(foldReportMarks(ctx.testDb.db.withPlugin(dies))).rejects.toThrow('worker killed')
    expect(await marksLeft()).toBe(waiting)
    expect(await summaries()).toEqual(before)
    await foldReports(ctx)
    expect(await marksLeft()).toBe(0)
    await expectEqualToRebuild()
  })

  it.runIf(dialect === 'postgres')('lets one server instance fold at a time; two folding at once end equal to a rebuild', async () => {
    const { schema } = (await sql<{ schema: string }>`select current_schema() as schema`.execute(ctx.testDb.db)).rows[0]!
    const other = connect({ url: PG_URL, pgSchema: schema })
    try {
      for (const m of members) await push(m.headers, [study(m.id.length), study(3)])
      // While another instance holds the fold, this one does not fold.
      await other.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext('report_mark'))`.execute(trx)
        expect(await foldReportMarks(ctx.testDb.db)).toBe('busy')
      })
      await Promise.all(members.map((m, i) => push(m.headers, [study(i), study(i + 7)])))
      // Both drain in batches of two at once: no deadlock, nothing folded twice wrongly or left.
      const drain = async (db: typeof ctx.testDb.db) => {
        for (;;) {
          const n = await foldReportMarks(db, 2)
          if (n === 0) return
          if (n === 'busy') await new Promise((r) => setTimeout(r, 1))
        }
      }
      await Promise.all([drain(ctx.testDb.db), drain(other.db), foldAllReportMarks(other.db)])
      expect(await marksLeft()).toBe(0)
      await expectEqualToRebuild()
    } finally {
      await other.db.destroy()
    }
  })
})
