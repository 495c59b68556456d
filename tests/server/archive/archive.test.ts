import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { ArchiveMeeting, ArchiveSummary } from '../../../src/protocol/archive.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { at, records } from './records.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('training archive on %s', (dialect) => {
  let ctx: TestContext
  let member: Headers
  let leader: Headers
  let otherLeader: Headers
  let supervisor: Headers
  let otherSupervisor: Headers
  let memberId: string
  let otherMemberId: string
  let groupId: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const person = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    const m = person(DEMO_LOGINS[0].phone)
    const leaderRow = person(DEMO_LOGINS[2].phone)
    memberId = m.id
    groupId = m.org_unit_id
    otherMemberId = ctx.seed.people.find((p) => p.org_unit_id !== groupId && p.phone.startsWith('139'))!.id
    const phoneOf = (role: string, notIn: string) => ctx.seed.people.find((p) => p.id === ctx.seed.roles.find((r) => r.role === role && r.org_unit_id !== notIn)!.person_id)!.phone
    const township = ctx.seed.roles.find((r) => r.person_id === person(DEMO_LOGINS[4].phone).id)!.org_unit_id
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    otherLeader = await signIn(ctx.app, phoneOf('group_leader', groupId))
    supervisor = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    otherSupervisor = await signIn(ctx.app, phoneOf('supervisor', township))

    const r = records(ctx.testDb.db, ctx.seed.units[0]!.id)
    const c1 = await r.course('党章学习', ['总纲', '党员'])
    const c2 = await r.course('党史', ['开天辟地'])
    await r.study(memberId, c1.id, c1.lessons[0]!, 'studied', 600, at(2026, 6))
    await r.study(memberId, c1.id, c1.lessons[0]!, 'completed', 0, at(2026, 6))
    await r.study(memberId, c1.id, c1.lessons[1]!, 'studied', 300, at(2026, 7))
    await r.study(memberId, c1.id, c1.lessons[1]!, 'completed', 0, at(2026, 7))
    await r.study(memberId, c2.id, c2.lessons[0]!, 'studied', 120, at(2026, 8))
    await r.study(memberId, c1.id, c1.lessons[0]!, 'studied', 1200, at(2025, 12, 31))
    const q1 = await r.quiz('党章知识测试')
    const q2 = await r.quiz('党史知识测试')
    await r.attempt(memberId, q1, 30, at(2025, 11))
    await r.attempt(memberId, q1, 40, at(2026, 6))
    await r.attempt(memberId, q1, 80, at(2026, 6, 12))
    await r.attempt(memberId, q2, 50, at(2026, 7))
    const leaderId = leaderRow.id
    const m1 = await r.meeting(groupId, leaderId, 'theme_day', '=HYPERLINK("http://x"),学习"二十大"', at(2026, 6))
    await r.mark(m1, groupId, memberId, 'absent', leaderId)
    await r.mark(m1, groupId, memberId, 'present', leaderId)
    const m2 = await r.meeting(groupId, leaderId, 'group_meeting', '请假的会', at(2026, 7))
    await r.mark(m2, groupId, memberId, 'leave', leaderId)
    const m3 = await r.meeting(groupId, leaderId, 'party_lecture', '党课', at(2026, 8))
    await r.mark(m3, groupId, memberId, 'checked_in', memberId)
    // The record a check-in made names its meeting: one meeting attended, not two.
    await r.flowing(memberId, groupId, 'confirmed', at(2026, 8), at(2026, 8), m3)
    const m4 = await r.meeting(groupId, leaderId, 'theme_day', '去年的会', at(2025, 5))
    await r.mark(m4, groupId, memberId, 'present', leaderId)
    await r.flowing(memberId, groupId, 'confirmed', at(2026, 9))
    await r.flowing(memberId, groupId, 'pending', at(2026, 9, 20))
    await r.visit(memberId, groupId, leaderId, at(2026, 10), '第一行\n第二行')
  })
  afterAll(() => ctx.close())

  const get = (headers: Headers, url: string) => ctx.app.inject({ method: 'GET', url, headers })
  const summary = async (headers: Headers, year: number, personId = memberId) => {
    const res = await get(headers, `/api/v1/archive/${personId}?year=${year}`)
    expect(res.statusCode).toBe(200)
    return res.json() as ArchiveSummary
  }

  it('shows a member the year’s totals, completed courses and quizzes to retake', async () => {
    const s = await summary(member, 2026)
    expect(s.totals).toEqual({ studySeconds: 1020, lessonsStudied: 3, coursesCompleted: 1, meetingsAttended: 3, quizAttempts: 3, quizzesPassed: 1, homeVisits: 1 })
    expect(s.coursesCompleted.map((c) => c.title)).toEqual(['党章学习'])
    expect(s.retraining.map((r) => [r.title, r.score])).toEqual([['党史知识测试', 50]])
  })

  it('filters every section by year', async () => {
    const s = await summary(member, 2025)
    expect(s.totals).toEqual({ studySeconds: 1200, lessonsStudied: 1, coursesCompleted: 0, meetingsAttended: 1, quizAttempts: 1, quizzesPassed: 0, homeVisits: 0 })
    const meetings = (await get(member, `/api/v1/archive/${memberId}/meetings?year=2025`)).json().items as ArchiveMeeting[]
    expect(meetings.map((m) => m.topic)).toEqual(['去年的会'])
  })

  it('lists meetings attended newest first, with record-card entries and without meetings the member missed', async () => {
    const first = (await get(member, `/api/v1/archive/${memberId}/meetings?year=2026&limit=2`)).json()
    expect(first.items.map((m: ArchiveMeeting) => m.status)).toEqual(['flowing', 'checked_in'])
    expect(first.next).toEqual(expect.any(String))
    const second = (await get(member, `/api/v1/archive/${memberId}/meetings?year=2026&limit=2&cursor=${first.next}`)).json()
    expect(second.items.map((m: ArchiveMeeting) => m.type)).toEqual(['theme_day'])
    expect(second.next).toBeNull()
    const lessons = (await get(member, `/api/v1/archive/${memberId}/lessons?year=2026`)).json().items
    expect(lessons.map((l: { title: string; seconds: number }) => [l.title, l.seconds])).toEqual([['开天辟地', 120], ['党员', 300], ['总纲', 600]])
    expect((await get(member, `/api/v1/archive/${memberId}/quizzes?year=2026&cursor=garbage`)).statusCode).toBe(400)
  })

  it('lets leaders above the member read it and refuses everyone else', async () => {
    expect((await summary(leader, 2026)).person.id).toBe(memberId)
    expect((await summary(supervisor, 2026)).totals.meetingsAttended).toBe(3)
    expect((await get(member, `/api/v1/archive/${otherMemberId}?year=2026`)).statusCode).toBe(403)
    expect((await get(otherLeader, `/api/v1/archive/${memberId}?year=2026`)).statusCode).toBe(403)
    expect((await get(otherSupervisor, `/api/v1/archive/${memberId}/visits?year=2026`)).statusCode).toBe(403)
    expect((await get(otherSupervisor, `/api/v1/archive/${memberId}/export.csv?year=2026`)).statusCode).toBe(403)
    expect((await get(leader, `/api/v1/archive/no-such-person?year=2026`)).statusCode).toBe(404)
    expect((await get(member, `/api/v1/archive/${memberId}?year=twenty`)).json()).toMatchObject({ statusCode: 400, field: 'querystring.year' })
  })

  it('exports a CSV that Excel reads in Chinese, with user text quoted and formulas defused, and audits it', async () => {
    const res = await get(leader, `/api/v1/archive/${memberId}/export.csv?year=2026`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/csv')
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('培训档案-')}`)
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    // 1,020 s = 0.3 h; lessons, courses, meetings, attempts, quizzes passed, visits
    expect(res.body).toContain('\r\n0.3,3,1,3,3,1,1\r\n')
    expect(res.body).toContain(`主题党日,"'=HYPERLINK(""http://x""),学习""二十大""",村委会,出席`)
    expect(res.body).toContain('"第一行\n第二行"')
    const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'archive.export').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ target: memberId, detail: JSON.stringify({ year: 2026 }) })
  })

  it('lets a leader find members of their subtree by name, and no one else’s', async () => {
    const name = ctx.seed.people.find((p) => p.id === memberId)!.name
    const res = await get(leader, `/api/v1/archive-people?orgUnitId=${groupId}&q=${encodeURIComponent(name.slice(0, 1))}`)
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((p: { id: string }) => p.id)).toContain(memberId)
    expect((await get(leader, `/api/v1/archive-people?orgUnitId=${groupId}&q=%25`)).json().items).toEqual([])
    expect((await get(otherLeader, `/api/v1/archive-people?orgUnitId=${groupId}`)).statusCode).toBe(403)
    expect((await get(member, `/api/v1/archive-people?orgUnitId=${groupId}`)).statusCode).toBe(403)
  })
})
