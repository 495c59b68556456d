import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { refreshAllReportStats } from '../../../server/features/reports/reportStats.repository.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { MemberReport, MemberReportPage, UnitReport } from '../../../src/protocol/reports.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, foldReports, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const DAY = 24 * 60 * 60 * 1000
const sync = { org_unit_id: '', version: 1, published_at: 0, deleted_at: null, content_hash: 'x' }

describe.each(DIALECTS)('reports on %s', (dialect) => {
  let ctx: TestContext
  let admin: Headers
  let supervisor: Headers
  let secretary: Headers
  let leader: Headers
  let member: Headers
  const unitId = (name: string) => ctx.seed.units.find((u) => u.name === name)!.id
  let group: string
  let memberId: string

  beforeAll(async () => {
    // Folded by hand (foldReports): every figure below is read after the fold a sync leads to.
    ctx = await buildTestApp(dialect)
    const db = ctx.testDb.db
    ;[member, leader, secretary, supervisor, admin] = await Promise.all(
      [0, 2, 3, 4, 5].map((i) => signIn(ctx.app, DEMO_LOGINS[i]!.phone)),
    )
    const people = ctx.seed.people
    const me = people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    memberId = me.id
    group = me.org_unit_id
    const branch = unitId('桃园村党支部')
    const [p2, p3] = people.filter((p) => p.org_unit_id === group).slice(4, 6)

    // A two-lesson course assigned to the whole branch.
    await db.insertInto('course').values({ ...sync, org_unit_id: unitId('青禾县'), id: 'c1', title: '党章', kind: 'theme', category: 'x', description: '', cover: null, sort_order: 1, body: '', media: '[]' }).execute()
    await db.insertInto('lesson').values([1, 2].map((n) => ({ ...sync, org_unit_id: unitId('青禾县'), id: `l${n}`, course_id: 'c1', title: `第${n}课`, sort_order: n, minutes: 5, audio: null, body: '' }))).execute()
    await db.insertInto('assignment').values({ ...sync, org_unit_id: branch, id: 'a1', course_id: 'c1', due_at: null }).execute()
    // One group meeting this year: p2 absent then corrected to present, p3 absent.
    const now = Date.now()
    await db.insertInto('meeting').values({ id: 'm1', org_unit_id: group, type: 'group_meeting', starts_at: now - DAY, ends_at: now - DAY + 3600_000, place: '村部', topic: '学习', lesson_id: null, created_by: p2!.id, checkin_code: '123456', device: 'd', created_at: now, received_at: now }).execute()
    const mark = (record: string, person: string, status: 'present' | 'absent') => ({ record_id: record, meeting_id: 'm1', org_unit_id: group, person_id: person, status, reason: null, marked_by: p2!.id, device: 'd', created_at: now, received_at: now })
    await db.insertInto('attendance_mark').values([mark('r1', p2!.id, 'absent'), mark('r1', p3!.id, 'absent'), mark('r2', p2!.id, 'present')]).execute()
    // The member tried quiz q1 twice (failed, then passed) and q2 once (failed).
    const attempt = (id: string, quiz: string, passed: number) => ({ id, person_id: me.id, quiz_id: quiz, quiz_version: 1, answers: '[]', correct: 0, total: 1, score: passed * 100, passed, client_score: null, started_at: now, device: 'd', created_at: now, received_at: now })
    await db.insertInto('quiz_attempt').values([attempt('q1a', 'q1', 0), attempt('q1b', 'q1', 1), attempt('q2a', 'q2', 0)]).execute()
    await db.insertInto('flowing_record').values({ id: 'f1', person_id: people[1]!.id, org_unit_id: group, held_on: now, place: 'p', organisation: 'o', content: 'c', photo: null, status: 'pending', reason: null, reviewed_by: null, reviewed_at: null, device: 'd', created_at: now, received_at: now }).execute()
    await refreshAllReportStats(db)

    // The member completes both lessons through a push, with 5 records on the phone.
    const study = (lessonId: string): PushRecord => ({ id: uuidv7(), kind: 'study_event', payload: { lessonId, courseId: 'c1', kind: 'completed', seconds: 60 }, createdAt: now, deviceId: 'phone-1' })
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone-1', outboxCount: 5, records: [study('l1'), study('l2')] } })
    expect(res.statusCode).toBe(200)
    // The leader's phone only pulls (its outbox is empty).
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull?deviceId=phone-2', headers: leader })).statusCode).toBe(200)
    await foldReports(ctx)
  })
  afterAll(() => ctx.close())

  const report = async (headers: Headers, id: string, query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${id}${query}`, headers })
  const ok = async (headers: Headers, id: string, query = '') => {
    const res = await report(headers, id, query)
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as UnitReport
  }

  it('adds up a branch: completion, quiz pass rate, attendance, members behind, meetings and flowing records', async () => {
    const r = await ok(secretary, unitId('桃园村党支部'))
    expect(r.unit.kind).toBe('branch')
    expect(r.figures).toEqual({
      members: 36,
      assigned: 36,
      completed: 1,
      quizzesAttempted: 2,
      quizzesPassed: 1,
      marks: 2,
      attended: 1,
      behind: 35,
      meetings: 1,
      flowingPending: 1,
    })
    expect(r.meetingsByType.find((m) => m.type === 'group_meeting')).toEqual({ type: 'group_meeting', count: 1, planned: 0 })
    expect(r.children.map((c) => c.unit.kind)).toEqual(['group', 'group', 'group'])
    expect(r.children.find((c) => c.unit.id === group)!.figures.completed).toBe(1)
  })

  it('shows each group’s data freshness: pending records, last sync, members never synced', async () => {
    const r = await ok(secretary, unitId('桃园村党支部'))
    const g = r.children.find((c) => c.unit.id === group)!
    expect(g.freshness).toMatchObject({ devicesPending: 1, recordsPending: 3, neverSynced: 10 })
    expect(g.freshness.newestSyncAt).toBeGreaterThan(Date.now() - 60_000)
    expect(r.children.filter((c) => c.unit.id !== group).every((c) => c.freshness.newestSyncAt === null && c.freshness.neverSynced === 12)).toBe(true)

    // The phone sends its last records: nothing waits any more.
    const rec: PushRecord = { id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l1', courseId: 'c1', kind: 'studied', seconds: 30 }, createdAt: Date.now(), deviceId: 'phone-1' }
    await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone-1', outboxCount: 1, records: [rec] } })
    await foldReports(ctx)
    const after = (await ok(secretary, group)).freshness
    expect(after).toMatchObject({ devicesPending: 0, recordsPending: 0 })
  })

  it('still takes pushes from clients that do not send outboxCount', async () => {
    const rec: PushRecord = { id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l1', courseId: 'c1', kind: 'opened', seconds: 0 }, createdAt: Date.now(), deviceId: 'old-phone' }
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'old-phone', records: [rec] } })
    expect(res.statusCode).toBe(200)
    expect(res.json().results[0]).toMatchObject({ status: 'applied' })
    const device = await ctx.testDb.db.selectFrom('sync_device').selectAll().where('device_id', '=', 'old-phone').executeTakeFirstOrThrow()
    expect(device).toMatchObject({ person_id: memberId, outbox_count: 0, pending_count: 0 })
  })

  it('keeps the summaries equal to a rebuild from the data when one person’s phones push while the group leader’s pull', async () => {
    const db = ctx.testDb.db
    const studied = (device: string): PushRecord => ({ id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l2', courseId: 'c1', kind: 'studied', seconds: 10 }, createdAt: Date.now(), deviceId: device })
    // Eight phones of one member push and four of the leader pull (each recomputes the leader's
    // summary): one person's row and one group's sums written by twelve transactions at once.
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: `phone-${i}`, outboxCount: 1, records: [studied(`phone-${i}`)] } }),
      ),
      ...Array.from({ length: 4 }, (_, i) => ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?deviceId=leader-${i}`, headers: leader })),
    ])
    await foldReports(ctx)
    const snapshot = () => Promise.all([
      db.selectFrom('report_person_stats').selectAll().orderBy('person_id').execute(),
      db.selectFrom('report_unit_stats').selectAll().where('members', '>', 0).orderBy('org_unit_id').execute(),
    ])
    const before = await snapshot()
    await refreshAllReportStats(db)
    expect(await snapshot()).toEqual(before)
    const mine = before[0].find((r) => r.person_id === memberId)!
    const total = await db.selectFrom('study_event').select((eb) => eb.fn.sum<number>('seconds').as('s')).where('person_id', '=', memberId).executeTakeFirstOrThrow()
    expect(Number(mine.study_seconds)).toBe(Number(total.s))
  })

  it('drills down from the district to a township, a branch and a group, with breadcrumbs', async () => {
    const district = await ok(admin, unitId('青禾县'))
    expect(district.trail).toEqual([])
    expect(district.children.map((c) => c.unit.name).sort()).toEqual(['柳溪镇', '白沙乡'].sort())
    expect(district.figures.members).toBe(ctx.seed.people.length)
    // The course was assigned by one branch: only its 36 members count, at every level above it.
    expect(district.figures).toMatchObject({ assigned: 36, completed: 1 })
    expect(Object.fromEntries(district.children.map((c) => [c.unit.name, c.figures.assigned]))).toEqual({ 柳溪镇: 36, 白沙乡: 0 })
    const township = await ok(admin, unitId('柳溪镇'))
    expect(township.children.map((c) => c.unit.name)).toContain('桃园村党支部')
    expect(township.figures.behind).toBe(township.figures.members - 1)
    const g = await ok(admin, group)
    expect(g.trail.map((u) => u.name)).toEqual(['青禾县', '柳溪镇', '桃园村党支部'])
    expect(g.children).toEqual([])
    expect(g.figures.members).toBe(12)
  })

  it('sets meetings held beside the year’s plans: each branch’s own items plus those it inherits, once per branch', async () => {
    // The demo plan: 青禾县 asks every branch for 12 theme days and 4 Party lectures; 桃园村 adds a field class.
    const planned = (r: UnitReport) => Object.fromEntries(r.meetingsByType.filter((m) => m.planned).map((m) => [m.type, m.planned]))
    const branches = ctx.seed.units.filter((u) => u.kind === 'branch').length
    expect(branches).toBeGreaterThan(1)
    expect(planned(await ok(secretary, unitId('桃园村党支部')))).toEqual({ theme_day: 12, party_lecture: 4, field_class: 1 })
    expect(planned(await ok(admin, unitId('青禾县')))).toEqual({ theme_day: 12 * branches, party_lecture: 4 * branches, field_class: 1 })
    // Plans are made per branch: a group's report has none.
    expect(planned(await ok(secretary, group))).toEqual({})
    // Another year has no plan.
    expect(planned(await ok(admin, unitId('青禾县'), `?year=${new Date().getFullYear() - 3}`))).toEqual({})
  })

  it('sorts child units by a figure', async () => {
    const r = await ok(secretary, unitId('桃园村党支部'), '?sort=completion&order=desc&limit=1')
    expect(r.childCount).toBe(3)
    expect(r.children.map((c) => c.unit.id)).toEqual([group])
  })

  it('answers 403 outside the viewer’s subtree and 404 for an unknown unit', async () => {
    expect((await report(secretary, unitId('石桥村党支部'))).statusCode).toBe(403)
    expect((await report(supervisor, unitId('白沙乡'))).statusCode).toBe(403)
    expect((await report(supervisor, unitId('青禾县'))).statusCode).toBe(403)
    expect((await report(member, group)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${unitId('石桥村党支部')}/members`, headers: secretary })).statusCode).toBe(403)
    expect((await report(admin, 'no-such-unit')).statusCode).toBe(404)
    expect((await report(leader, group)).statusCode).toBe(200)
    // Breadcrumbs show only units the viewer may open.
    expect((await ok(secretary, group)).trail.map((u) => u.name)).toEqual(['桃园村党支部'])
  })

  it('lists members page by page with their figures, and only those behind when asked', async () => {
    const members: MemberReport[] = []
    let cursor: string | null = null
    do {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${group}/members?limit=5${cursor ? `&cursor=${cursor}` : ''}`, headers: secretary })
      expect(res.statusCode).toBe(200)
      const page = res.json() as MemberReportPage
      members.push(...page.items)
      cursor = page.next
    } while (cursor)
    expect(members).toHaveLength(12)
    expect(new Set(members.map((m) => m.id)).size).toBe(12)
    const me = members.find((m) => m.id === memberId)!
    expect(me).toMatchObject({ behind: false, assigned: 1, completed: 1, quizzesAttempted: 2, quizzesPassed: 1 })
    expect(me.lastSyncAt).not.toBeNull()
    const behind = (await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${group}/members?behindOnly=true&limit=50`, headers: secretary })).json() as MemberReportPage
    expect(behind.items).toHaveLength(11)
    expect(behind.items.every((m) => m.behind && m.id !== memberId)).toBe(true)
    const bad = await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${group}/members?cursor=nonsense`, headers: secretary })
    expect(bad.statusCode).toBe(400)
  })

  // Runs last: it changes assignments, placements and membership the tests above count on.
  it('counts course assignments to a member group and to named people, and follows a member who moves or leaves', async () => {
    const db = ctx.testDb.db
    const branch = unitId('桃园村党支部')
    const inBranch = ctx.seed.people.filter((p) => ctx.seed.units.find((u) => u.id === p.org_unit_id)!.path.includes(branch))
    const flowing = inBranch.filter((p) => p.is_flowing === 1 && p.id !== memberId)
    expect(flowing.length).toBeGreaterThan(0)
    await db.insertInto('course').values({ ...sync, org_unit_id: unitId('青禾县'), id: 'c2', title: '安全', kind: 'theme', category: 'x', description: '', cover: null, sort_order: 2, body: '', media: '[]' }).execute()
    await db.insertInto('lesson').values({ ...sync, org_unit_id: unitId('青禾县'), id: 'l3', course_id: 'c2', title: '第3课', sort_order: 1, minutes: 5, audio: null, body: '' }).execute()
    const assign = async (extra: object) => {
      const body = { id: uuidv7(), contentKind: 'course', contentId: 'c2', orgUnitId: branch, dueAt: Date.now() + 7 * DAY, ...extra }
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/assignments', headers: secretary, payload: body })
      expect(res.statusCode, res.body).toBe(201)
      return body.id
    }
    const before = (await ok(secretary, branch)).figures

    await assign({ memberGroup: 'flowing' })
    expect((await ok(secretary, branch)).figures.assigned).toBe(before.assigned + flowing.length)
    await assign({ personIds: [memberId] })
    const named = (await ok(secretary, branch)).figures
    expect(named).toMatchObject({ assigned: before.assigned + flowing.length + 1, completed: before.completed })

    // The member completes the one lesson: completed goes up by one at the group and the branch.
    const done: PushRecord = { id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l3', courseId: 'c2', kind: 'completed', seconds: 60 }, createdAt: Date.now(), deviceId: 'phone-1' }
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone-1', outboxCount: 1, records: [done] } })).statusCode).toBe(200)
    await foldReports(ctx)
    expect((await ok(secretary, branch)).figures.completed).toBe(before.completed + 1)
    const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/reports/units/${group}/members?limit=50`, headers: secretary })).json() as MemberReportPage
    expect(page.items.find((m) => m.id === memberId)).toMatchObject({ assigned: 2, completed: 2 })

    // Moved to another group of the branch: the figures go with the member; the branch is unchanged.
    const beforeMove = await ok(secretary, branch)
    const otherGroup = beforeMove.children.find((c) => c.unit.id !== group)!
    const moved = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${memberId}/move`, headers: secretary, payload: { orgUnitId: otherGroup.unit.id } })
    expect(moved.statusCode, moved.body).toBe(200)
    const after = await ok(secretary, branch)
    expect(after.figures).toEqual(beforeMove.figures)
    expect(after.figures).toMatchObject({ members: 36, completed: before.completed + 1 })
    expect(after.children.find((c) => c.unit.id === group)!.figures.members).toBe(11)
    expect(after.children.find((c) => c.unit.id === otherGroup.unit.id)!.figures).toMatchObject({
      members: otherGroup.figures.members + 1,
      completed: otherGroup.figures.completed + 2,
    })

    // Deactivated: no longer a member anywhere in the report.
    const left = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${memberId}/status`, headers: secretary, payload: { status: 'inactive' } })
    expect(left.statusCode, left.body).toBe(200)
    expect((await ok(secretary, branch)).figures).toMatchObject({ members: 35, completed: before.completed - 1 })

    // Every summary, per person and per unit, equals a rebuild from the data.
    const snapshot = () => Promise.all([
      db.selectFrom('report_person_stats').selectAll().orderBy('person_id').execute(),
      db.selectFrom('report_unit_stats').selectAll().where('members', '>', 0).orderBy('org_unit_id').execute(),
    ])
    const kept = await snapshot()
    await refreshAllReportStats(db)
    expect(await snapshot()).toEqual(kept)
  })
})
