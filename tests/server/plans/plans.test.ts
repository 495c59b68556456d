import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { monthStart } from '../../../server/features/plans/months.ts'
import { CONTENT_DIR } from '../../../server/features/content/import.ts'
import { parseContent } from '../../../server/features/content/content.parse.ts'
import { plannedMeetingsByType } from '../../../server/features/plans/plans.repository.ts'
import { DEMO_PLAN_REFS } from '../../../server/features/plans/plans.seed.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { MonthlyReport, PlanItem, PlanItemCreate } from '../../../src/protocol/plans.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { at, records } from '../archive/records.ts'

type Headers = { authorization: string }

// Most tests add their own items in a past year: the demo seed plans the current one.

describe.each(DIALECTS)('annual study plans and monthly reports on %s', (dialect) => {
  let ctx: TestContext
  let admin: Headers
  let supervisor: Headers
  let secretary: Headers
  let otherSecretary: Headers
  let member: Headers
  let districtId: string
  let townshipId: string
  let branchId: string
  let otherBranchId: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const person = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    const roleOf = (phone: string, role: string) => ctx.seed.roles.find((r) => r.person_id === person(phone).id && r.role === role)!.org_unit_id
    districtId = roleOf(DEMO_LOGINS[5].phone, 'admin')
    townshipId = roleOf(DEMO_LOGINS[4].phone, 'supervisor')
    branchId = roleOf(DEMO_LOGINS[3].phone, 'secretary')
    // A branch of the other township: it inherits the district's plan, not township 1's.
    const other = ctx.seed.units.find((u) => u.kind === 'branch' && !u.path.includes(townshipId))!
    otherBranchId = other.id
    const otherSecretaryId = ctx.seed.roles.find((r) => r.role === 'secretary' && r.org_unit_id === other.id)!.person_id
    admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    supervisor = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    otherSecretary = await signIn(ctx.app, ctx.seed.people.find((p) => p.id === otherSecretaryId)!.phone)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
  })
  afterAll(() => ctx.close())

  const item = (orgUnitId: string, over: Partial<PlanItemCreate> = {}): PlanItemCreate => ({
    id: randomUUID(),
    orgUnitId,
    year: 2024,
    month: 3,
    kind: 'meeting',
    meetingType: 'theme_day',
    title: '主题党日',
    ...over,
  })
  const add = (headers: Headers, payload: PlanItemCreate) => ctx.app.inject({ method: 'POST', url: '/api/v1/plans/items', headers, payload })
  const plan = async (headers: Headers, orgUnitId: string, year = 2024) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/plans?orgUnitId=${orgUnitId}&year=${year}`, headers })
    expect(res.statusCode).toBe(200)
    return res.json().items as PlanItem[]
  }

  describe('the demo plan', () => {
    // China's calendar year, as the seed and the plan screen read it.
    const thisYear = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear()

    it('shows 桃园村党支部 the district’s monthly theme days, quarterly lectures and course, then its own items', async () => {
      const items = await plan(secretary, branchId, thisYear)
      const inherited = items.filter((i) => i.inherited)
      expect(new Set(inherited.map((i) => i.orgUnitName))).toEqual(new Set(['青禾县']))
      expect(inherited.filter((i) => i.meetingType === 'theme_day').map((i) => i.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      expect(inherited.filter((i) => i.meetingType === 'party_lecture').map((i) => i.month)).toEqual([3, 6, 9, 12])
      expect(inherited.find((i) => i.kind === 'course')).toMatchObject({ refId: 'three-meetings-one-lesson', title: '三会一课规范' })
      const own = items.filter((i) => !i.inherited)
      expect(own.map((i) => [i.month, i.kind, i.refId])).toEqual([
        [3, 'course', 'field-class-farming-01'],
        [5, 'quiz', 'quiz-anti-fraud'],
        [7, 'meeting', null],
      ])
      expect(own.every((i) => i.orgUnitName === '桃园村党支部')).toBe(true)
      // Within a month the district's items come before the branch's own.
      const march = items.filter((i) => i.month === 3)
      expect(march.map((i) => i.inherited)).toEqual([true, true, false])
    })

    it('gives another branch the district’s items only, and counts them as planned meetings', async () => {
      const other = await plan(otherSecretary, otherBranchId, thisYear)
      expect(other).toHaveLength(18)
      expect(other.every((i) => i.inherited)).toBe(true)
      expect(await plannedMeetingsByType(ctx.testDb.db, otherBranchId, monthStart(thisYear, 3), monthStart(thisYear, 4))).toEqual({ theme_day: 1, party_lecture: 1 })
    })

    it('counts a township’s planned meetings as those of every branch in it, and none for a group', async () => {
      const township = ctx.seed.units.find((u) => u.id === townshipId)!
      const branches = ctx.seed.units.filter((u) => u.kind === 'branch' && u.path.startsWith(township.path)).length
      expect(branches).toBeGreaterThan(1)
      // March: the district's theme day and lecture reach each branch; 桃园村's own items are not meetings.
      expect(await plannedMeetingsByType(ctx.testDb.db, townshipId, monthStart(thisYear, 3), monthStart(thisYear, 4))).toEqual({ theme_day: branches, party_lecture: branches })
      const group = ctx.seed.units.find((u) => u.kind === 'group' && u.path.startsWith(township.path))!
      expect(await plannedMeetingsByType(ctx.testDb.db, group.id, monthStart(thisYear, 3), monthStart(thisYear, 4))).toEqual({})
    })

    it('refers only to courses, lessons and quizzes that exist in content/', () => {
      const content = parseContent(CONTENT_DIR)
      const courseOrLesson = new Set([...content.courses.map((c) => c.id), ...content.lessons.map((l) => l.id)])
      const quizzes = new Set(content.quizzes.map((q) => q.id))
      for (const ref of DEMO_PLAN_REFS) expect(ref.kind === 'quiz' ? quizzes.has(ref.refId) : courseOrLesson.has(ref.refId), ref.refId).toBe(true)
    })
  })

  describe('plans', () => {
    let districtItem: PlanItemCreate
    beforeAll(async () => {
      districtItem = item(districtId, { meetingType: 'party_lecture', title: '季度党课' })
      expect((await add(admin, districtItem)).statusCode).toBe(201)
      expect((await add(supervisor, item(townshipId, { title: '乡镇主题党日' }))).statusCode).toBe(201)
      expect((await add(secretary, item(branchId, { kind: 'course', meetingType: undefined, refId: 'course-1', title: '学习党章', month: 4 }))).statusCode).toBe(201)
      expect((await add(secretary, item(branchId, { month: 3, title: '支部主题党日' }))).statusCode).toBe(201)
    })

    it('shows a branch its own items and those inherited from its township and district, marked', async () => {
      const items = await plan(secretary, branchId)
      expect(items.map((i) => [i.month, i.title, i.inherited])).toEqual([
        [3, '季度党课', true],
        [3, '乡镇主题党日', true],
        [3, '支部主题党日', false],
        [4, '学习党章', false],
      ])
      expect((await plan(otherSecretary, otherBranchId)).map((i) => i.title)).toEqual(['季度党课'])
      expect(await plan(secretary, branchId, 2025)).toEqual([])
    })

    it('counts planned meetings by type, inherited ones included', async () => {
      const march = await plannedMeetingsByType(ctx.testDb.db, branchId, monthStart(2024, 3), monthStart(2024, 4))
      expect(march).toEqual({ party_lecture: 1, theme_day: 2 })
      expect(await plannedMeetingsByType(ctx.testDb.db, otherBranchId, monthStart(2024, 1), monthStart(2025, 1))).toEqual({ party_lecture: 1 })
      expect(await plannedMeetingsByType(ctx.testDb.db, branchId, monthStart(2024, 4), monthStart(2024, 5))).toEqual({})
    })

    it('adds a retried item once and refuses an id taken by another plan', async () => {
      const p = item(branchId, { month: 5, title: '五月主题党日' })
      expect((await add(secretary, p)).statusCode).toBe(201)
      const again = await add(secretary, p)
      expect(again.statusCode).toBe(200)
      expect(again.json()).toMatchObject({ id: p.id, title: '五月主题党日' })
      expect((await plan(secretary, branchId)).filter((i) => i.id === p.id)).toHaveLength(1)
      expect((await add(admin, { ...p, orgUnitId: districtId })).statusCode).toBe(409)
    })

    it('refuses bad items naming the field, and changes nothing', async () => {
      const noType = await add(secretary, item(branchId, { meetingType: undefined }))
      expect(noType.json()).toMatchObject({ statusCode: 400, field: 'body.meetingType' })
      expect((await add(secretary, item(branchId, { month: 13 }))).json()).toMatchObject({ statusCode: 400, field: 'body.month' })
      expect((await plan(secretary, branchId)).filter((i) => i.month === 13 || (i.meetingType === null && i.kind === 'meeting'))).toEqual([])
    })

    it('lets only secretaries and above of the unit read and change its plan', async () => {
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/plans?orgUnitId=${branchId}&year=2024`, headers: member })).statusCode).toBe(403)
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/plans?orgUnitId=${branchId}&year=2024`, headers: otherSecretary })).statusCode).toBe(403)
      expect((await add(otherSecretary, item(branchId))).statusCode).toBe(403)
      // An inherited item belongs to the unit above: the branch cannot remove it.
      const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/plans/items/${districtItem.id}`, headers: secretary })
      expect(del.statusCode).toBe(403)
      expect((await plan(secretary, branchId)).map((i) => i.id)).toContain(districtItem.id)
    })

    it('moves and removes a branch’s own item, and audits every change', async () => {
      const own = (await plan(secretary, branchId)).find((i) => i.title === '学习党章')!
      const moved = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/plans/items/${own.id}`, headers: secretary, payload: { month: 6, note: '结合七一' } })
      expect(moved.json()).toMatchObject({ month: 6, note: '结合七一', inherited: false })
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/plans/items/${own.id}`, headers: secretary })).statusCode).toBe(204)
      expect((await plan(secretary, branchId)).map((i) => i.id)).not.toContain(own.id)
      const audit = await ctx.testDb.db.selectFrom('audit_log').select(['action']).where('target', '=', own.id).orderBy('id').execute()
      expect(audit.map((a) => a.action)).toEqual(['plan.item.add', 'plan.item.change', 'plan.item.remove'])
    })
  })

  describe('monthly report', () => {
    beforeAll(async () => {
      const r = records(ctx.testDb.db, districtId)
      const groups = ctx.seed.units.filter((u) => u.parent_id === branchId)
      const [g1, g2] = [groups[0]!, groups[1]!]
      const peopleOf = (g: string) => ctx.seed.people.filter((p) => p.org_unit_id === g)
      const [a, b, c] = peopleOf(g2.id)
      const c1 = await r.course('党章学习', ['总纲'])
      const q = await r.quiz('测试')
      // March: two members study 30 + 15 minutes; February: one member 12 minutes.
      await r.study(a!.id, c1.id, c1.lessons[0]!, 'studied', 1800, at(2024, 3, 5))
      await r.study(b!.id, c1.id, c1.lessons[0]!, 'studied', 900, at(2024, 3, 31))
      await r.study(a!.id, c1.id, c1.lessons[0]!, 'studied', 720, at(2024, 2, 28))
      // Outside the branch: never counted.
      const outsider = ctx.seed.people.find((p) => p.org_unit_id === ctx.seed.units.find((u) => u.parent_id === otherBranchId)!.id)!
      await r.study(outsider.id, c1.id, c1.lessons[0]!, 'studied', 9999, at(2024, 3, 5))
      // March: one theme day with 3 marked (2 attended, the third's mark corrected to absent).
      const m = await r.meeting(g2.id, a!.id, 'theme_day', '三月主题党日', at(2024, 3, 15))
      await r.mark(m, g2.id, a!.id, 'present', a!.id)
      await r.mark(m, g2.id, b!.id, 'checked_in', b!.id)
      await r.mark(m, g2.id, c!.id, 'present', a!.id)
      await r.mark(m, g2.id, c!.id, 'absent', a!.id)
      const feb = await r.meeting(g1.id, a!.id, 'group_meeting', '二月小组会', at(2024, 2, 15))
      await r.mark(feb, g1.id, peopleOf(g1.id)[5]!.id, 'present', a!.id)
      await r.attempt(a!.id, q, 90, at(2024, 3, 6))
      await r.attempt(b!.id, q, 40, at(2024, 3, 6))
      await r.flowing(c!.id, g2.id, 'pending', at(2024, 2, 27), at(2024, 3, 2))
    })

    const report = (headers: Headers, orgUnitId: string, month = '2024-03', csv = false) =>
      ctx.app.inject({ method: 'GET', url: `/api/v1/monthly-reports/${orgUnitId}${csv ? '/export.csv' : ''}?month=${month}`, headers })

    it('gives the month’s figures beside the previous month’s', async () => {
      const res = await report(secretary, branchId)
      expect(res.statusCode).toBe(200)
      const r = res.json() as MonthlyReport
      expect(r.previousMonth).toBe('2024-02')
      expect(r.current).toMatchObject({ studySeconds: 2700, membersStudied: 2, meetingsHeld: 1, attendanceRate: 66.7, quizAttempts: 2, quizPassRate: 50, newFlowingRecords: 1 })
      // 3 groups of 12 members
      expect(r.current.members).toBe(36)
      expect(r.current.meetings).toEqual([
        { type: 'party_lecture', held: 0, planned: 1 },
        { type: 'theme_day', held: 1, planned: 2 },
      ])
      expect(r.previous).toMatchObject({ studySeconds: 720, membersStudied: 1, meetingsHeld: 1, attendanceRate: 100, quizAttempts: 0, quizPassRate: null, newFlowingRecords: 0 })
      expect(r.previous.meetings).toEqual([{ type: 'group_meeting', held: 1, planned: 0 }])
    })

    it('exports the report as CSV with the change from last month, and audits the export', async () => {
      const res = await report(supervisor, branchId, '2024-03', true)
      expect(res.statusCode).toBe(200)
      expect(res.body.startsWith('\uFEFF月度报告,')).toBe(true)
      expect(res.body).toContain('\r\n学习时长（小时）,0.8,0.2,0.6\r\n')
      expect(res.body).toContain('\r\n参学党员数,2,1,1\r\n')
      expect(res.body).toContain('\r\n测试通过率（%）,50,,\r\n')
      expect(res.body).toContain('\r\n主题党日,1,2,0,0\r\n')
      const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'monthly_report.export').execute()
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({ target: branchId, detail: JSON.stringify({ month: '2024-03' }) })
    })

    it('answers only secretaries and above of the unit', async () => {
      expect((await report(otherSecretary, branchId)).statusCode).toBe(403)
      expect((await report(otherSecretary, branchId, '2024-03', true)).statusCode).toBe(403)
      expect((await report(member, branchId)).statusCode).toBe(403)
      expect((await report(secretary, branchId, '2024-13')).json()).toMatchObject({ statusCode: 400, field: 'querystring.month' })
      expect((await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'monthly_report.export').execute())).toHaveLength(1)
    })
  })
})
