import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { HOME_VISIT_PHOTO_MAX_CHARS, type AttendanceMarkPayload, type CheckinPayload, type HomeVisitPayload, type MeetingCreatePayload, type MeetingDetail } from '../../../src/protocol/attendance.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { meetingPayload as meetingIn, pushRecord as record, TINY_JPEG as JPEG } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
const HOUR = 60 * 60 * 1000


describe.each(DIALECTS)('meetings and attendance on %s', (dialect) => {
  let ctx: TestContext
  let leader: Headers
  let member: Headers
  let secretary: Headers
  let otherLeader: Headers
  let groupId: string
  let otherGroupId: string
  let memberId: string
  let outsiderId: string
  let groupPeople: { id: string; phone: string }[]
  const signInCache = new Map<string, Headers>()

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const byPhone = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    const memberRow = byPhone(DEMO_LOGINS[0].phone)
    memberId = memberRow.id
    groupId = memberRow.org_unit_id
    groupPeople = ctx.seed.people.filter((p) => p.org_unit_id === groupId).map((p) => ({ id: p.id, phone: p.phone }))
    const otherLeaderRole = ctx.seed.roles.find((r) => r.role === 'group_leader' && r.org_unit_id !== groupId)!
    otherGroupId = otherLeaderRole.org_unit_id
    outsiderId = ctx.seed.people.find((p) => p.org_unit_id === otherGroupId && p.id !== otherLeaderRole.person_id)!.id
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    otherLeader = await signIn(ctx.app, ctx.seed.people.find((p) => p.id === otherLeaderRole.person_id)!.phone)
  })
  afterAll(() => ctx.close())

  const headersOf = async (phone: string) => {
    if (!signInCache.has(phone)) signInCache.set(phone, await signIn(ctx.app, phone))
    return signInCache.get(phone)!
  }
  const push = async (headers: Headers, records: PushRecord[], deviceId = 'device-a') => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers,
      payload: { deviceId, outboxCount: records.length, records },
    })
    expect(res.statusCode).toBe(200)
    return res.json().results as { id: string; status: string; code?: string; field?: string }[]
  }
  const meetingPayload = (over: Partial<MeetingCreatePayload> = {}) => meetingIn(groupId, over)
  const createMeeting = async (over: Partial<MeetingCreatePayload> = {}) => {
    const p = meetingPayload(over)
    expect((await push(leader, [record('meeting_create', p)]))[0]!.status).toBe('applied')
    return p
  }
  const marks = (meeting: MeetingCreatePayload, entries: AttendanceMarkPayload['marks']): AttendanceMarkPayload => ({
    meetingId: meeting.meetingId,
    orgUnitId: meeting.orgUnitId,
    marks: entries,
  })
  const detail = async (meetingId: string, headers = leader): Promise<MeetingDetail> => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/meetings/${meetingId}`, headers })
    expect(res.statusCode).toBe(200)
    return res.json()
  }
  const statusOf = (d: MeetingDetail, personId: string) => d.attendees.find((a) => a.personId === personId)?.status

  describe('creating meetings', () => {
    it('lets the group leader create a meeting and keeps the code from the leader’s phone', async () => {
      const p = await createMeeting()
      const d = await detail(p.meetingId)
      expect(d.meeting).toMatchObject({ id: p.meetingId, orgUnitId: groupId, topic: '学习党章', checkinCode: p.checkinCode })
      expect(d.attendees.length).toBe(groupPeople.length)
    })

    it('refuses a meeting from a member and from the leader of another group', async () => {
      const [byMember] = await push(member, [record('meeting_create', meetingPayload())])
      expect(byMember).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
      const [byOther] = await push(otherLeader, [record('meeting_create', meetingPayload())])
      expect(byOther).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    })

    it('lets the branch secretary create a meeting for a group below the branch', async () => {
      const [r] = await push(secretary, [record('meeting_create', meetingPayload())])
      expect(r!.status).toBe('applied')
    })

    it('refuses meetings dated absurdly far in the future or the past, or ending before they start', async () => {
      const far = Date.now() + 5 * 365 * 24 * HOUR
      const past = Date.now() - 2 * 365 * 24 * HOUR
      const results = await push(leader, [
        record('meeting_create', meetingPayload({ startsAt: far, endsAt: far + HOUR })),
        record('meeting_create', meetingPayload({ startsAt: past, endsAt: past + HOUR })),
        record('meeting_create', meetingPayload({ startsAt: Date.now(), endsAt: Date.now() - HOUR })),
      ])
      expect(results.map((r) => [r.code, r.field])).toEqual([
        ['INVALID_PAYLOAD', 'payload.startsAt'],
        ['INVALID_PAYLOAD', 'payload.startsAt'],
        ['INVALID_PAYLOAD', 'payload.endsAt'],
      ])
    })

    it('refuses another person’s record that reuses a meeting id', async () => {
      const p = await createMeeting()
      const [r] = await push(secretary, [record('meeting_create', { ...meetingPayload(), meetingId: p.meetingId })])
      expect(r).toMatchObject({ status: 'rejected', code: 'CONFLICT' })
    })
  })

  describe('marking attendance', () => {
    it('marks everyone present in one record, then the exceptions, and keeps each correction', async () => {
      const p = await createMeeting()
      const [a, b] = groupPeople
      const all = record('attendance_mark', marks(p, groupPeople.map((g) => ({ personId: g.id, status: 'present' as const }))))
      const exceptions = record(
        'attendance_mark',
        marks(p, [
          { personId: a!.id, status: 'leave', reason: '外出务工' },
          { personId: b!.id, status: 'absent' },
        ]),
        { deviceId: 'device-b' },
      )
      expect((await push(leader, [all, exceptions])).map((r) => r.status)).toEqual(['applied', 'applied'])
      const d = await detail(p.meetingId)
      expect(d.attendees.filter((x) => x.status === 'present')).toHaveLength(groupPeople.length - 2)
      const first = d.attendees.find((x) => x.personId === a!.id)!
      expect(first.status).toBe('leave')
      expect(first.history.map((h) => [h.status, h.reason, h.device])).toEqual([
        ['present', null, 'device-a'],
        ['leave', '外出务工', 'device-b'],
      ])
      expect(first.history[1]!.seq).toBeGreaterThan(first.history[0]!.seq)
      expect(first.history[0]!.markedByName).toBeTruthy()
    })

    it('refuses marks from a member and from the leader of another group', async () => {
      const p = await createMeeting()
      const payload = marks(p, [{ personId: memberId, status: 'absent' }])
      expect((await push(member, [record('attendance_mark', payload)]))[0]).toMatchObject({ code: 'FORBIDDEN' })
      expect((await push(otherLeader, [record('attendance_mark', payload)]))[0]).toMatchObject({ code: 'FORBIDDEN' })
      // Naming the other group's unit does not help: the meeting belongs to this group.
      const sneaky = { ...payload, orgUnitId: otherGroupId }
      expect((await push(otherLeader, [record('attendance_mark', sneaky)]))[0]).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'payload.orgUnitId',
      })
      expect(statusOf(await detail(p.meetingId), memberId)).toBeNull()
    })

    it('refuses a mark for somebody outside the meeting’s unit and names the mark', async () => {
      const p = await createMeeting()
      const [r] = await push(leader, [
        record('attendance_mark', marks(p, [{ personId: memberId, status: 'present' }, { personId: outsiderId, status: 'present' }])),
      ])
      expect(r).toMatchObject({ status: 'rejected', code: 'FORBIDDEN', field: 'payload.marks.1.personId' })
      expect(statusOf(await detail(p.meetingId), memberId)).toBeNull()
    })

    it('converges when two leaders’ phones marked the same meeting offline, whatever order they sync in', async () => {
      const p = await createMeeting()
      const [x] = groupPeople
      const fromLeader = record('attendance_mark', marks(p, [{ personId: x!.id, status: 'leave', reason: '生病' }]), { deviceId: 'leader-phone' })
      const fromSecretary = record('attendance_mark', marks(p, [{ personId: x!.id, status: 'present' }]), {
        deviceId: 'secretary-phone',
        // The secretary's phone clock is an hour behind: device time must not decide.
        createdAt: Date.now() - HOUR,
      })
      await push(leader, [fromLeader], 'leader-phone')
      await push(secretary, [fromSecretary], 'secretary-phone')
      // Both phones sync again (replays) and read back the same answer. Neither phone had seen the
      // other's mark (these old-style records name none), so the later arrival does not undo the
      // first: it is kept in history as overruled (docs/sync-protocol.md, "Conflict rules").
      await push(leader, [fromLeader], 'leader-phone')
      const seenByLeader = await detail(p.meetingId, leader)
      const seenBySecretary = await detail(p.meetingId, secretary)
      expect(seenByLeader).toEqual(seenBySecretary)
      expect(statusOf(seenByLeader, x!.id)).toBe('leave')
      expect(seenByLeader.attendees.find((a) => a.personId === x!.id)!.history.map((h) => [h.device, h.overruledBy?.status ?? null])).toEqual([
        ['leader-phone', null],
        ['secretary-phone', 'leave'],
      ])
    })

    it('counts marks that reached the server before their meeting, and marks in the same batch as it', async () => {
      const early = meetingPayload()
      const markFirst = record('attendance_mark', marks(early, [{ personId: memberId, status: 'remote' }]))
      expect((await push(leader, [markFirst]))[0]!.status).toBe('applied')
      await push(leader, [record('meeting_create', early)])
      expect(statusOf(await detail(early.meetingId), memberId)).toBe('remote')

      const old = await createMeeting()
      const fresh = meetingPayload()
      const results = await push(leader, [
        record('attendance_mark', marks(old, [{ personId: memberId, status: 'absent' }])),
        record('meeting_create', fresh),
        record('attendance_mark', marks(fresh, [{ personId: memberId, status: 'present' }])),
      ])
      expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
      expect(statusOf(await detail(fresh.meetingId), memberId)).toBe('present')
      expect(statusOf(await detail(old.meetingId), memberId)).toBe('absent')
    })

    it('treats a replayed batch as harmless: no extra marks, same answer', async () => {
      const p = await createMeeting()
      const batch = [record('attendance_mark', marks(p, [{ personId: memberId, status: 'present' }]))]
      await push(leader, batch)
      const before = await detail(p.meetingId)
      expect((await push(leader, batch)).map((r) => r.status)).toEqual(['duplicate'])
      expect(await detail(p.meetingId)).toEqual(before)
    })
  })

  describe('checking in', () => {
    const checkin = (payload: CheckinPayload, extra: Partial<PushRecord> = {}) => record('checkin', payload, extra)

    it('accepts a typed code in the window and merges it with the leader’s marks', async () => {
      const p = await createMeeting()
      expect((await push(member, [checkin({ code: p.checkinCode })]))[0]!.status).toBe('applied')
      let d = await detail(p.meetingId)
      expect(statusOf(d, memberId)).toBe('checked_in')
      // The leader had seen the check-in and marks the member absent after all: based on it.
      const checkedIn = d.attendees.find((a) => a.personId === memberId)!.markId
      await push(leader, [record('attendance_mark', marks(p, [{ personId: memberId, status: 'absent', basedOn: checkedIn }]))])
      d = await detail(p.meetingId)
      expect(statusOf(d, memberId)).toBe('absent')
      expect(d.attendees.find((a) => a.personId === memberId)!.history.map((h) => h.status)).toEqual(['checked_in', 'absent'])
      // A later correction by the same leader (an old phone naming no mark) replaces their own mark.
      await push(leader, [record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '提前离会' }]))])
      d = await detail(p.meetingId)
      expect(statusOf(d, memberId)).toBe('leave')
      // The member sees only their own row, without the code.
      const own = await detail(p.meetingId, member)
      expect(own.attendees.map((a) => a.personId)).toEqual([memberId])
      expect(own.meeting.checkinCode).toBeUndefined()
    })

    it('refuses a wrong code, and a code replayed for another meeting', async () => {
      const a = await createMeeting()
      const b = await createMeeting()
      const m = await headersOf(groupPeople[5]!.phone)
      const wrong = String((Number(a.checkinCode) + 1) % 1_000_000).padStart(6, '0')
      const results = await push(m, [checkin({ code: wrong, meetingId: a.meetingId }), checkin({ code: a.checkinCode, meetingId: b.meetingId })])
      expect(results.map((r) => r.code)).toEqual(['CHECKIN_CODE', 'CHECKIN_CODE'])
    })

    it('refuses a check-in outside the window: too early, too late or arriving days after the meeting', async () => {
      const m = await headersOf(groupPeople[6]!.phone)
      const later = await createMeeting({ startsAt: Date.now() + 3 * HOUR, endsAt: Date.now() + 4 * HOUR })
      const past = await createMeeting({ startsAt: Date.now() - 10 * 24 * HOUR, endsAt: Date.now() - 10 * 24 * HOUR + HOUR })
      const results = await push(m, [
        checkin({ code: later.checkinCode, meetingId: later.meetingId }),
        // The phone claims it checked in during the meeting, ten days ago: too late to arrive.
        checkin({ code: past.checkinCode, meetingId: past.meetingId }, { createdAt: past.startsAt + 60_000 }),
        checkin({ code: later.checkinCode }),
      ])
      expect(results.map((r) => r.code)).toEqual(['CHECKIN_WINDOW', 'CHECKIN_WINDOW', 'CHECKIN_WINDOW'])
    })

    it('refuses a check-in from somebody outside the meeting’s unit: like a wrong code when typed, saying why when scanned', async () => {
      const p = await createMeeting({ checkinToken: 'outside-token-0123456789ab' })
      const [typed, scanned] = await push(otherLeader, [
        checkin({ code: p.checkinCode, meetingId: p.meetingId }),
        checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken }),
      ])
      expect(typed).toMatchObject({ status: 'rejected', code: 'CHECKIN_CODE' })
      expect(scanned).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    })

    it('keeps a check-in that arrives before its meeting and counts it when the meeting arrives', async () => {
      const m = groupPeople[7]!
      const headers = await headersOf(m.phone)
      const p = meetingPayload()
      const c = checkin({ code: p.checkinCode }, { createdAt: Date.now() })
      expect((await push(headers, [c]))[0]!.status).toBe('applied')
      let mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers })).json()
      expect(mine.checkins.find((x: { id: string }) => x.id === c.id)).toMatchObject({ state: 'pending' })
      await push(leader, [record('meeting_create', p)])
      expect(statusOf(await detail(p.meetingId), m.id)).toBe('checked_in')
      mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers })).json()
      expect(mine.checkins.find((x: { id: string }) => x.id === c.id)).toMatchObject({ state: 'accepted', meetingId: p.meetingId })
      expect(mine.meetings.find((x: { meeting: { id: string } }) => x.meeting.id === p.meetingId)).toMatchObject({ status: 'checked_in' })
      // A replay of the check-in changes nothing.
      expect((await push(headers, [c]))[0]!.status).toBe('duplicate')
      expect((await detail(p.meetingId)).attendees.find((a) => a.personId === m.id)!.history).toHaveLength(1)
    })

    it('refuses, once its meeting arrives, a waiting check-in that named the meeting with another code', async () => {
      const headers = await headersOf(groupPeople[9]!.phone)
      const p = meetingPayload()
      const wrong = String((Number(p.checkinCode) + 7) % 1_000_000).padStart(6, '0')
      const c = checkin({ code: wrong, meetingId: p.meetingId })
      expect((await push(headers, [c]))[0]!.status).toBe('applied')
      await push(leader, [record('meeting_create', p)])
      const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers })).json()
      expect(mine.checkins.find((x: { id: string }) => x.id === c.id)).toMatchObject({ state: 'refused' })
      expect(statusOf(await detail(p.meetingId), groupPeople[9]!.id)).toBeNull()
    })

    it('stores at most ten check-ins per person per hour', async () => {
      const headers = await headersOf(groupPeople[8]!.phone)
      // Scanned QR codes of meetings not on the server yet: not guesses, but still bounded.
      const tries = Array.from({ length: 12 }, (_, i) =>
        checkin({ code: String(200000 + i), meetingId: crypto.randomUUID(), token: `waiting-token-${String(i).padStart(10, '0')}` }),
      )
      const results = await push(headers, tries)
      expect(results.filter((r) => r.code === 'RATE_LIMITED')).toHaveLength(2)
    })
  })

  describe('home visits 上门送学', () => {
    const visit = (over: Partial<HomeVisitPayload> = {}): HomeVisitPayload => ({
      visitId: crypto.randomUUID(),
      orgUnitId: groupId,
      personId: memberId,
      visitedAt: Date.now() - HOUR,
      studied: '党章第一章',
      note: '老人耳背，读了两遍',
      ...over,
    })

    it('records a visit with a photo, lists it for the leader and serves the photo to the leader and the member', async () => {
      const p = visit({ photo: JPEG.toString('base64') })
      const [r] = await push(leader, [record('home_visit', p)])
      expect(r!.status).toBe('applied')
      const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/home-visits?orgUnitId=${groupId}`, headers: leader })
      expect(list.json().items[0]).toMatchObject({ id: p.visitId, personId: memberId, studied: '党章第一章', hasPhoto: true })
      for (const headers of [leader, member]) {
        const photo = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/home-visits/${p.visitId}/photo`, headers })
        expect(photo.statusCode).toBe(200)
        expect(photo.headers['content-type']).toBe('image/jpeg')
        expect(photo.headers['x-content-type-options']).toBe('nosniff')
        expect(photo.rawPayload.equals(JPEG)).toBe(true)
      }
      const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/home-visits/${p.visitId}/photo`, headers: otherLeader })
      expect(other.statusCode).toBe(403)
      expect((await push(leader, [record('home_visit', p)]))[0]!.status).toBe('applied')
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/home-visits?orgUnitId=${groupId}`, headers: leader })).json().items.filter((v: { id: string }) => v.id === p.visitId)).toHaveLength(1)
    })

    it('refuses a visit photo that is not a JPEG or still carries EXIF (the member’s home location)', async () => {
      const exif = [0xff, 0xe1, 0x00, 0x0c, ...Buffer.from('Exif\0\0'), 0x4d, 0x4d, 0x00, 0x2a]
      const withExif = Buffer.concat([JPEG.subarray(0, 2), Buffer.from(exif), JPEG.subarray(2)]).toString('base64')
      const notJpeg = Buffer.from('<svg onload="alert(1)"/>').toString('base64')
      const results = await push(leader, [record('home_visit', visit({ photo: withExif })), record('home_visit', visit({ photo: notJpeg }))])
      expect(results.map((r) => [r.status, r.field])).toEqual([
        ['rejected', 'payload.photo'],
        ['rejected', 'payload.photo'],
      ])
    })

    it('refuses a visit by a member, by another group’s leader, to someone outside the group, in the future, or with a photo too large', async () => {
      const results = [
        ...(await push(member, [record('home_visit', visit())])),
        ...(await push(otherLeader, [record('home_visit', visit())])),
        ...(await push(leader, [record('home_visit', visit({ personId: outsiderId })), record('home_visit', visit({ visitedAt: Date.now() + 30 * 24 * HOUR }))])),
      ]
      expect(results.map((r) => [r.code, r.field])).toEqual([
        ['FORBIDDEN', 'payload.orgUnitId'],
        ['FORBIDDEN', 'payload.orgUnitId'],
        ['FORBIDDEN', 'payload.personId'],
        ['INVALID_PAYLOAD', 'payload.visitedAt'],
      ])
      const [big] = await push(leader, [record('home_visit', visit({ photo: 'A'.repeat(HOME_VISIT_PHOTO_MAX_CHARS + 4) }))])
      expect(big).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'payload.photo' })
    })
  })

  describe('reading', () => {
    it('gives the leader the roster, paged, with flowing and elderly members flagged; members are refused', async () => {
      const page1 = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/groups/${groupId}/roster?limit=5`, headers: leader })
      expect(page1.statusCode).toBe(200)
      const body = page1.json()
      expect(body.items).toHaveLength(5)
      const page2 = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/attendance/groups/${groupId}/roster?limit=50&cursor=${body.next}`,
        headers: leader,
      })
      const all = [...body.items, ...page2.json().items]
      expect(all).toHaveLength(groupPeople.length)
      expect(all.some((m: { isFlowing: boolean }) => m.isFlowing)).toBe(true)
      expect(all.some((m: { isElderly: boolean }) => m.isElderly)).toBe(true)
      const refused = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/groups/${groupId}/roster`, headers: member })
      expect(refused.statusCode).toBe(403)
      const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/groups/${groupId}/roster`, headers: otherLeader })
      expect(other.statusCode).toBe(403)
    })

    it('lists a unit’s meetings newest first, with the code only for its leaders', async () => {
      const list = async (headers: Headers, cursor?: string) =>
        ctx.app.inject({
          method: 'GET',
          url: `/api/v1/attendance/meetings?orgUnitId=${groupId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          headers,
        })
      const first = (await list(leader)).json()
      expect(first.items).toHaveLength(3)
      expect(first.items[0].checkinCode).toMatch(/^\d{6}$/)
      const starts = first.items.map((m: { startsAt: number }) => m.startsAt)
      expect([...starts].sort((a, b) => b - a)).toEqual(starts)
      const second = (await list(leader, first.next)).json()
      expect(second.items[0].id).not.toBe(first.items[2].id)
      const forMember = (await list(member)).json()
      expect(forMember.items[0].checkinCode).toBeUndefined()
      expect((await list(otherLeader)).statusCode).toBe(403)
    })
  })
})
