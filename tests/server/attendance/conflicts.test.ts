/**
 * Corrections are not undone by older offline edits: every mark names the mark it was based on
 * (what the phone showed), and a mark made without seeing the current one is kept in history,
 * not applied. Through the real API on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { AttendanceMarkPayload, MeetingCreatePayload, MeetingDetail } from '../../../src/protocol/attendance.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
const HOUR = 60 * 60 * 1000


describe.each(DIALECTS)('attendance corrections under concurrency on %s', (dialect) => {
  let ctx: TestContext
  let leader: Headers
  let secretary: Headers
  let member: Headers
  let groupId: string
  let memberId: string
  let secretaryName: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const byPhone = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    memberId = byPhone(DEMO_LOGINS[0].phone).id
    groupId = byPhone(DEMO_LOGINS[0].phone).org_unit_id
    secretaryName = byPhone(DEMO_LOGINS[3].phone).name
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[], deviceId = 'device-a') => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId, outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results as { id: string; status: string; code?: string }[]
  }
  const createMeeting = async (): Promise<MeetingCreatePayload> => {
    const p: MeetingCreatePayload = {
      meetingId: crypto.randomUUID(),
      orgUnitId: groupId,
      type: 'group_meeting',
      startsAt: Date.now() - 9 * HOUR,
      endsAt: Date.now() - 7 * HOUR,
      place: '田间地头',
      topic: '学习党章',
      checkinCode: String(100000 + Math.floor(Math.random() * 900000)),
    }
    expect((await push(leader, [record('meeting_create', p)]))[0]!.status).toBe('applied')
    return p
  }
  const marks = (m: MeetingCreatePayload, entries: AttendanceMarkPayload['marks']): AttendanceMarkPayload => ({ meetingId: m.meetingId, orgUnitId: m.orgUnitId, marks: entries })
  const detail = async (meetingId: string, headers = leader): Promise<MeetingDetail> => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/meetings/${meetingId}`, headers })
    expect(res.statusCode).toBe(200)
    return res.json()
  }
  const attendee = (d: MeetingDetail, personId = memberId) => d.attendees.find((a) => a.personId === personId)!

  it('keeps the secretary’s 10:00 correction when the leader’s offline 09:00 mark arrives at 17:00, and says who corrected it and when', async () => {
    const p = await createMeeting()
    const nine = Date.now() - 8 * HOUR
    const ten = Date.now() - 7 * HOUR
    // 09:00, in the field with no signal: the leader's phone had read the meeting with no marks.
    const offline = record('attendance_mark', marks(p, [{ personId: memberId, status: 'present', basedOn: null }]), { createdAt: nine, deviceId: 'leader-phone' })
    // 10:00: the secretary, online, sees no mark and records 请假.
    const before = attendee(await detail(p.meetingId, secretary))
    expect(before.markId).toBeNull()
    const correction = record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '生病', basedOn: before.markId }]), {
      createdAt: ten,
      deviceId: 'secretary-phone',
    })
    expect((await push(secretary, [correction], 'secretary-phone'))[0]!.status).toBe('applied')
    // 17:00: the leader's phone finds signal. The record is taken (not refused: nothing to fix on the phone)…
    expect((await push(leader, [offline], 'leader-phone'))[0]!.status).toBe('applied')

    // …but the correction stays, and the stale mark is in the history, marked as overruled.
    const d = await detail(p.meetingId)
    const row = attendee(d)
    expect(row.status).toBe('leave')
    expect(row.markId).toBe(correction.id)
    expect(row.history.map((h) => [h.status, h.recordId])).toEqual([
      ['leave', correction.id],
      ['present', offline.id],
    ])
    expect(row.history[0]!.overruledBy).toBeNull()
    expect(row.history[1]!.overruledBy).toEqual({ name: secretaryName, status: 'leave', at: ten })
    // Everyone reads the same answer, the member too.
    expect(attendee(await detail(p.meetingId, secretary))).toEqual(row)
    expect(attendee(await detail(p.meetingId, member)).status).toBe('leave')

    // Having seen the correction, the leader may still change it: now it is based on the current mark.
    const knowing = record('attendance_mark', marks(p, [{ personId: memberId, status: 'present', basedOn: correction.id }]), { deviceId: 'leader-phone' })
    expect((await push(leader, [knowing], 'leader-phone'))[0]!.status).toBe('applied')
    const after = attendee(await detail(p.meetingId))
    expect(after.status).toBe('present')
    expect(after.history.at(-1)).toMatchObject({ recordId: knowing.id, overruledBy: null })
  })

  it('applies a chain of marks made on one offline phone, each based on the one before', async () => {
    const p = await createMeeting()
    const first = record('attendance_mark', marks(p, [{ personId: memberId, status: 'present', basedOn: null }]))
    const second = record('attendance_mark', marks(p, [{ personId: memberId, status: 'absent', basedOn: first.id }]))
    await push(leader, [first, second])
    const row = attendee(await detail(p.meetingId))
    expect(row.status).toBe('absent')
    expect(row.history.every((h) => h.overruledBy === null)).toBe(true)
  })

  it('keeps a chain made on a phone that had not seen the correction out of it as a whole', async () => {
    const p = await createMeeting()
    const correction = record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '外出务工', basedOn: null }]))
    await push(secretary, [correction], 'secretary-phone')
    const first = record('attendance_mark', marks(p, [{ personId: memberId, status: 'present', basedOn: null }]))
    const second = record('attendance_mark', marks(p, [{ personId: memberId, status: 'absent', basedOn: first.id }]))
    await push(leader, [first, second])
    const row = attendee(await detail(p.meetingId))
    expect(row.status).toBe('leave')
    expect(row.history.map((h) => h.overruledBy?.status ?? null)).toEqual([null, 'leave', 'leave'])
  })

  it('lets an old phone that sends no based-on field correct its own marks, but not someone else’s newer one', async () => {
    const p = await createMeeting()
    await push(leader, [record('attendance_mark', marks(p, [{ personId: memberId, status: 'present' }]))])
    await push(leader, [record('attendance_mark', marks(p, [{ personId: memberId, status: 'absent' }]))])
    expect(attendee(await detail(p.meetingId)).status).toBe('absent')
    await push(secretary, [record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '生病' }]))], 'secretary-phone')
    const row = attendee(await detail(p.meetingId))
    expect(row.status).toBe('absent')
    expect(row.history.at(-1)!.overruledBy).toMatchObject({ status: 'absent' })
  })

  it('treats a replayed stale mark as harmless: same answer, no second history entry', async () => {
    const p = await createMeeting()
    const correction = record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '生病', basedOn: null }]))
    await push(secretary, [correction], 'secretary-phone')
    const stale = record('attendance_mark', marks(p, [{ personId: memberId, status: 'present', basedOn: null }]))
    await push(leader, [stale])
    const before = await detail(p.meetingId)
    expect((await push(leader, [stale]))[0]!.status).toBe('duplicate')
    expect(await detail(p.meetingId)).toEqual(before)
    expect(attendee(before).history).toHaveLength(2)
  })

  it('keeps a check-in made without seeing the leader’s mark in history, and tells the member who marked them', async () => {
    const p: MeetingCreatePayload = {
      meetingId: crypto.randomUUID(),
      orgUnitId: groupId,
      type: 'group_meeting',
      startsAt: Date.now() - 10 * 60 * 1000,
      endsAt: Date.now() + HOUR,
      place: '村委会',
      topic: '主题党日',
      checkinCode: String(100000 + Math.floor(Math.random() * 900000)),
    }
    await push(leader, [record('meeting_create', p)])
    const leave = record('attendance_mark', marks(p, [{ personId: memberId, status: 'leave', reason: '生病', basedOn: null }]))
    await push(leader, [leave])
    expect((await push(member, [record('checkin', { code: p.checkinCode, meetingId: p.meetingId })], 'member-phone'))[0]!.status).toBe('applied')
    const row = attendee(await detail(p.meetingId))
    expect(row.status).toBe('leave')
    expect(row.history.at(-1)).toMatchObject({ status: 'checked_in', overruledBy: { status: 'leave' } })
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers: member })
    const entry = mine.json().meetings.find((m: { meeting: { id: string } }) => m.meeting.id === p.meetingId)
    expect(entry).toMatchObject({ status: 'leave', correctedBy: { status: 'leave' } })

    // A check-in after the leader's 出席 says the same: kept in history, no notice for the member.
    const other: MeetingCreatePayload = { ...p, meetingId: crypto.randomUUID(), checkinCode: String(100000 + Math.floor(Math.random() * 900000)) }
    await push(leader, [record('meeting_create', other), record('attendance_mark', marks(other, [{ personId: memberId, status: 'present', basedOn: null }]))])
    await push(member, [record('checkin', { code: other.checkinCode, meetingId: other.meetingId })], 'member-phone')
    const again = await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers: member })
    expect(again.json().meetings.find((m: { meeting: { id: string } }) => m.meeting.id === other.meetingId)).toMatchObject({ status: 'present', correctedBy: null })
  })
})
