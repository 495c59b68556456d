/**
 * Guest check-in anywhere (a flowing member at another branch's meeting, credited at home) and the
 * leaders' overview (numbers and scope), through the real API on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { CheckinPayload, MeetingCreatePayload, MeetingDetail } from '../../../src/protocol/attendance.ts'
import type { MeetingRate, MemberRate, UnitOverview } from '../../../src/protocol/attendanceOverview.ts'
import type { FlowingRecord } from '../../../src/protocol/flowing.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
type Result = { id: string; status: string; code?: string; field?: string }
const HOUR = 60 * 60 * 1000

const checkin = (payload: CheckinPayload, extra: Partial<PushRecord> = {}) => record('checkin', payload, extra)
const randomCode = () => String(100000 + Math.floor(Math.random() * 900000))
const randomToken = () => crypto.randomUUID().replaceAll('-', '')

describe.each(DIALECTS)('guest check-in and the leaders’ overview on %s', (dialect) => {
  let ctx: TestContext
  let flowing: Headers
  let member: Headers
  let homeLeader: Headers
  let secretary: Headers
  let hostLeader: Headers
  let flowingId: string
  let homeGroupId: string
  let homeBranchId: string
  let hostGroupId: string
  let hostGroupName: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const byPhone = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    const flowingRow = byPhone(DEMO_LOGINS[1].phone)
    flowingId = flowingRow.id
    homeGroupId = flowingRow.org_unit_id
    homeBranchId = ctx.seed.units.find((u) => u.id === homeGroupId)!.parent_id!
    // The host: a group of another branch (where the flowing member works now).
    const hostRole = ctx.seed.roles.find((r) => {
      const unit = ctx.seed.units.find((u) => u.id === r.org_unit_id)!
      return r.role === 'group_leader' && unit.parent_id !== homeBranchId
    })!
    hostGroupId = hostRole.org_unit_id
    const hostUnit = ctx.seed.units.find((u) => u.id === hostGroupId)!
    hostGroupName = `${ctx.seed.units.find((u) => u.id === hostUnit.parent_id)!.name} ${hostUnit.name}`
    ;[flowing, member, homeLeader, secretary, hostLeader] = await Promise.all([
      signIn(ctx.app, DEMO_LOGINS[1].phone),
      signIn(ctx.app, DEMO_LOGINS[0].phone),
      signIn(ctx.app, DEMO_LOGINS[2].phone),
      signIn(ctx.app, DEMO_LOGINS[3].phone),
      signIn(ctx.app, ctx.seed.people.find((p) => p.id === hostRole.person_id)!.phone),
    ])
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[]): Promise<Result[]> => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results
  }
  const get = async <T>(headers: Headers, url: string, status = 200): Promise<T> => {
    const res = await ctx.app.inject({ method: 'GET', url, headers })
    expect(res.statusCode, res.body).toBe(status)
    return res.json()
  }
  const meeting = (over: Partial<MeetingCreatePayload> = {}): MeetingCreatePayload => ({
    meetingId: crypto.randomUUID(),
    orgUnitId: hostGroupId,
    type: 'theme_day',
    startsAt: Date.now() - 10 * 60 * 1000,
    endsAt: Date.now() + 50 * 60 * 1000,
    place: '园区党群服务中心',
    topic: '主题党日：学习新党章',
    checkinCode: randomCode(),
    checkinToken: randomToken(),
    ...over,
  })
  const create = async (headers: Headers, p: MeetingCreatePayload) => {
    expect((await push(headers, [record('meeting_create', p)]))[0]!.status).toBe('applied')
    return p
  }
  const card = () => get<{ items: FlowingRecord[]; confirmedCount: number }>(flowing, '/api/v1/flowing-records/me')

  describe('guest check-in', () => {
    it('accepts a flowing member’s typed code at another branch’s meeting: the host sees a guest, home gets an entry to confirm', async () => {
      const p = await create(hostLeader, meeting())
      const before = (await card()).confirmedCount
      expect((await push(flowing, [checkin({ code: p.checkinCode })]))[0]!.status).toBe('applied')

      const detail = await get<MeetingDetail>(hostLeader, `/api/v1/attendance/meetings/${p.meetingId}`)
      const guest = detail.attendees.find((a) => a.personId === flowingId)!
      const home = ctx.seed.units.find((u) => u.id === homeGroupId)!
      const homeBranch = ctx.seed.units.find((u) => u.id === homeBranchId)!
      expect(guest).toMatchObject({ status: 'checked_in', isFlowing: true, guestFrom: `${homeBranch.name} ${home.name}` })
      expect(detail.attendees.filter((a) => !a.guestFrom).length).toBe(12)

      const mine = await card()
      // Six typed digits can be guessed nationwide: the home leader confirms a typed guest check-in.
      expect(mine.confirmedCount).toBe(before)
      expect(mine.items.find((r) => r.meetingId === p.meetingId)).toMatchObject({
        status: 'pending',
        organisation: hostGroupName,
        place: p.place,
        content: p.topic,
        orgUnitId: homeGroupId,
      })
      // The home leader sees it among the records waiting for review.
      const confirmed = await get<{ items: FlowingRecord[] }>(homeLeader, `/api/v1/flowing-records?orgUnitId=${homeGroupId}&status=confirmed`)
      expect(confirmed.items.some((r) => r.meetingId === p.meetingId)).toBe(false)
      const waiting = await get<{ items: FlowingRecord[] }>(homeLeader, `/api/v1/flowing-records?orgUnitId=${homeGroupId}`)
      expect(waiting.items.some((r) => r.meetingId === p.meetingId)).toBe(true)
      // The member's check-in list names the host's meeting.
      const me = await get<{ checkins: { meetingId: string | null; topic?: string | null; state: string }[] }>(flowing, '/api/v1/attendance/me')
      expect(me.checkins.find((c) => c.meetingId === p.meetingId)).toMatchObject({ state: 'accepted', topic: p.topic })
    })

    it('accepts a scanned QR code (meeting + code + token), confirmed at home, and treats a replay as harmless: one credit only', async () => {
      const p = await create(hostLeader, meeting())
      const c = checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken })
      const before = (await card()).confirmedCount
      expect((await push(flowing, [c]))[0]!.status).toBe('applied')
      expect((await push(flowing, [c]))[0]!.status).toBe('duplicate')
      expect((await card()).confirmedCount).toBe(before + 1)
      const detail = await get<MeetingDetail>(hostLeader, `/api/v1/attendance/meetings/${p.meetingId}`)
      expect(detail.attendees.find((a) => a.personId === flowingId)!.history).toHaveLength(1)
    })

    it('refuses a guest outside the window, with a wrong code, or with a code replayed for another meeting', async () => {
      const over = await create(hostLeader, meeting({ startsAt: Date.now() - 6 * HOUR, endsAt: Date.now() - 5 * HOUR }))
      const a = await create(hostLeader, meeting())
      const b = await create(hostLeader, meeting())
      const wrong = String((Number(a.checkinCode) + 1) % 1_000_000).padStart(6, '0')
      const before = (await card()).confirmedCount
      const results = await push(flowing, [
        checkin({ code: over.checkinCode, meetingId: over.meetingId }),
        checkin({ code: wrong, meetingId: a.meetingId }),
        checkin({ code: a.checkinCode, meetingId: b.meetingId }),
      ])
      expect(results.map((r) => r.code)).toEqual(['CHECKIN_WINDOW', 'CHECKIN_CODE', 'CHECKIN_CODE'])
      expect((await card()).confirmedCount).toBe(before)
      const detail = await get<MeetingDetail>(hostLeader, `/api/v1/attendance/meetings/${a.meetingId}`)
      expect(detail.attendees.some((x) => x.personId === flowingId)).toBe(false)
    })

    it('refuses a member who is not flowing at another branch’s meeting', async () => {
      const p = await create(hostLeader, meeting())
      const [r] = await push(member, [checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken })])
      expect(r).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    })

    it('asks to scan when two meetings elsewhere share the typed code right now', async () => {
      const code = randomCode()
      const otherHost = ctx.seed.roles.find((r) => r.role === 'group_leader' && r.org_unit_id !== hostGroupId && ctx.seed.units.find((u) => u.id === r.org_unit_id)!.parent_id !== homeBranchId)!
      await create(hostLeader, meeting({ checkinCode: code }))
      await create(await signIn(ctx.app, ctx.seed.people.find((p) => p.id === otherHost.person_id)!.phone), meeting({ checkinCode: code, orgUnitId: otherHost.org_unit_id }))
      const [r] = await push(flowing, [checkin({ code })])
      expect(r).toMatchObject({ status: 'rejected', code: 'CHECKIN_CODE' })
    })

    it('credits a guest check-in that reached the server before the host’s meeting once the meeting arrives', async () => {
      const p = meeting()
      const c = checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken })
      expect((await push(flowing, [c]))[0]!.status).toBe('applied')
      const before = (await card()).confirmedCount
      await create(hostLeader, p)
      expect((await card()).confirmedCount).toBe(before + 1)
      const detail = await get<MeetingDetail>(hostLeader, `/api/v1/attendance/meetings/${p.meetingId}`)
      expect(detail.attendees.find((a) => a.personId === flowingId)?.guestFrom).toBeTruthy()
    })

    it('does not let the home leader return a guest check-in the QR token confirmed', async () => {
      const p = await create(hostLeader, meeting())
      await push(flowing, [checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken })])
      const rec = (await card()).items.find((r) => r.meetingId === p.meetingId)!
      const [r] = await push(homeLeader, [record('flowing_record_review', { recordId: rec.id, decision: 'returned', reason: '不认' })])
      expect(r).toMatchObject({ status: 'rejected', code: 'CONFLICT' })
    })
  })

  describe('leaders’ overview', () => {
    // The third group of the home branch: no other test here touches it.
    let groupId: string
    let people: string[]
    let absentee: string
    let keen: string

    beforeAll(async () => {
      groupId = ctx.seed.units.filter((u) => u.parent_id === homeBranchId).sort((a, b) => a.name.localeCompare(b.name))[2]!.id
      people = ctx.seed.people.filter((p) => p.org_unit_id === groupId).map((p) => p.id)
      ;[absentee, keen] = people as [string, string]
      const m1 = await create(secretary, meeting({ orgUnitId: groupId, type: 'group_meeting', startsAt: Date.now() - 2 * HOUR, endsAt: Date.now() - HOUR }))
      const m2 = await create(secretary, meeting({ orgUnitId: groupId, type: 'party_lecture' }))
      const mark = (m: MeetingCreatePayload, marks: { personId: string; status: 'present' | 'absent' | 'leave' }[]) =>
        record('attendance_mark', { meetingId: m.meetingId, orgUnitId: groupId, marks })
      const results = await push(secretary, [
        mark(m1, people.map((personId) => ({ personId, status: 'present' as const }))),
        // A correction: the latest mark counts, not the first.
        mark(m1, [{ personId: absentee, status: 'absent' }]),
        mark(m2, [{ personId: keen, status: 'present' }, { personId: absentee, status: 'leave' }]),
      ])
      expect(results.every((r) => r.status === 'applied')).toBe(true)
    })

    it('counts meetings by type, the attendance rate and who has not attended, for the group', async () => {
      const { unit } = await get<{ unit: UnitOverview }>(secretary, `/api/v1/attendance/overview?orgUnitId=${groupId}`)
      expect(unit.meetingsYear).toBe(2)
      expect(unit.meetings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'group_meeting', year: 1 }),
          expect.objectContaining({ type: 'party_lecture', year: 1 }),
        ]),
      )
      expect(unit.members).toBe(12)
      // (11 + 1) attended of 2 meetings × 12 members.
      expect(unit.attendanceRate).toBe(0.5)
      expect(unit.inactiveMembers).toBe(1)

      const inactive = await get<{ items: MemberRate[] }>(secretary, `/api/v1/attendance/overview/members?orgUnitId=${groupId}&inactive=true`)
      expect(inactive.items.map((m) => m.personId)).toEqual([absentee])
      const all = await get<{ items: MemberRate[]; next: string | null }>(secretary, `/api/v1/attendance/overview/members?orgUnitId=${groupId}&limit=50`)
      expect(all.items).toHaveLength(12)
      expect(all.items.find((m) => m.personId === keen)).toMatchObject({ expected: 2, attended: 2, rate: 1 })
      expect(all.items.find((m) => m.personId === absentee)).toMatchObject({ expected: 2, attended: 0, rate: 0 })
    })

    it('gives each meeting its rate, newest first and paged', async () => {
      const first = await get<{ items: MeetingRate[]; next: string | null }>(secretary, `/api/v1/attendance/overview/meetings?orgUnitId=${groupId}&limit=1`)
      expect(first.items[0]).toMatchObject({ attended: 1, expected: 12, guests: 0 })
      expect(first.next).toBeTruthy()
      const second = await get<{ items: MeetingRate[]; next: string | null }>(
        secretary,
        `/api/v1/attendance/overview/meetings?orgUnitId=${groupId}&limit=1&cursor=${first.next}`,
      )
      expect(second.items[0]).toMatchObject({ attended: 11, expected: 12 })
      expect(second.next).toBeNull()
      await get(secretary, `/api/v1/attendance/overview/meetings?orgUnitId=${groupId}&cursor=garbage`, 400)
    })

    it('lists the branch’s groups with their own numbers, and counts guest check-ins credited at home', async () => {
      const units = await get<{ items: UnitOverview[] }>(secretary, `/api/v1/attendance/overview/units?orgUnitId=${homeBranchId}`)
      expect(units.items).toHaveLength(3)
      expect(units.items.find((u) => u.orgUnitId === groupId)).toMatchObject({ meetingsYear: 2, attendanceRate: 0.5 })
      const home = await get<{ unit: UnitOverview }>(homeLeader, `/api/v1/attendance/overview?orgUnitId=${homeGroupId}`)
      // Every guest check-in the flowing member made in the tests above is a guest at the host;
      // home counts those confirmed (the QR token's; a typed one waits for review).
      const guestEntries = (await card()).items.filter((r) => r.meetingId)
      const credited = guestEntries.filter((r) => r.status === 'confirmed').length
      expect(credited).toBeGreaterThan(0)
      expect(home.unit.guestCheckinsYear).toBe(credited)
      const host = await get<{ items: MeetingRate[] }>(hostLeader, `/api/v1/attendance/overview/meetings?orgUnitId=${hostGroupId}&limit=50`)
      expect(host.items.reduce((s, m) => s + m.guests, 0)).toBe(guestEntries.length)
    })

    it('keeps each leader to their own subtree: 403 elsewhere, 404 for no such unit', async () => {
      await get(hostLeader, `/api/v1/attendance/overview?orgUnitId=${homeBranchId}`, 403)
      await get(hostLeader, `/api/v1/attendance/overview/members?orgUnitId=${groupId}`, 403)
      await get(homeLeader, `/api/v1/attendance/overview?orgUnitId=${homeBranchId}`, 403)
      await get(member, `/api/v1/attendance/overview?orgUnitId=${homeGroupId}`, 403)
      await get(secretary, `/api/v1/attendance/overview/units?orgUnitId=${crypto.randomUUID()}`, 404)
    })
  })
})
