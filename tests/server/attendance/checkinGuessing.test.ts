/**
 * Check-in codes cannot be guessed (issue 21): wrong codes are counted per person and per
 * meeting in the database (so every server instance sees them), a wrong code and the right code
 * of a meeting one may not attend answer alike, and the QR code's long token still checks in
 * when the typed code is locked. Through the real API on both databases.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { CheckinPayload, MeetingCreatePayload, MeetingDetail, MyAttendance } from '../../../src/protocol/attendance.ts'
import type { FlowingRecord } from '../../../src/protocol/flowing.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { meetingPayload, pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
type Result = { id: string; status: string; code?: string; message?: string; field?: string }
const HOUR = 60 * 60 * 1000

const checkin = (payload: CheckinPayload) => record('checkin', payload)
/** Every 6-digit code but `right`, from a random start: what someone guessing would send. */
const wrongCodes = (right: string, n: number) => {
  const start = Math.floor(Math.random() * 1_000_000)
  return Array.from({ length: n + 1 }, (_, i) => String((start + i) % 1_000_000).padStart(6, '0'))
    .filter((c) => c !== right)
    .slice(0, n)
}
const makeToken = () => randomBytes(18).toString('base64url')
const withoutId = ({ id: _id, ...rest }: Result) => rest

describe.each(DIALECTS)('guessing check-in codes on %s', (dialect) => {
  let ctx: TestContext
  let leader: Headers
  let hostLeader: Headers
  let groupId: string
  let hostGroupId: string
  /** Members of the demo group who are not flowing, one per test: a lockout lasts an hour. */
  let members: { id: string; phone: string }[]
  let hostMembers: { id: string; phone: string }[]

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const memberRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    groupId = memberRow.org_unit_id
    const branchId = ctx.seed.units.find((u) => u.id === groupId)!.parent_id
    members = ctx.seed.people.filter((p) => p.org_unit_id === groupId && p.is_flowing === 0 && p.phone !== DEMO_LOGINS[2].phone)
    const hostRole = ctx.seed.roles.find((r) => r.role === 'group_leader' && ctx.seed.units.find((u) => u.id === r.org_unit_id)!.parent_id !== branchId)!
    hostGroupId = hostRole.org_unit_id
    hostMembers = ctx.seed.people.filter((p) => p.org_unit_id === hostGroupId && p.id !== hostRole.person_id)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    hostLeader = await signIn(ctx.app, ctx.seed.people.find((p) => p.id === hostRole.person_id)!.phone)
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[], app: App = ctx.app): Promise<Result[]> => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().results
  }
  const get = async <T>(headers: Headers, url: string): Promise<T> => {
    const res = await ctx.app.inject({ method: 'GET', url, headers })
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }
  const meeting = (over: Partial<MeetingCreatePayload> = {}) => meetingPayload(groupId, { checkinToken: makeToken(), ...over })
  const create = async (headers: Headers, p: MeetingCreatePayload) => {
    expect((await push(headers, [record('meeting_create', p)]))[0]!.status).toBe('applied')
    return p
  }
  const statusOf = async (headers: Headers, meetingId: string, personId: string) =>
    (await get<MeetingDetail>(headers, `/api/v1/attendance/meetings/${meetingId}`)).attendees.find((a) => a.personId === personId)?.status ?? null

  it('locks a member out after 5 wrong codes in one push of 130, and refuses the right code until the hour has passed', async () => {
    const person = members[0]!
    const headers = await signIn(ctx.app, person.phone)
    const p = await create(leader, meeting())
    const before = Date.now()
    const results = await push(headers, wrongCodes(p.checkinCode, 130).map((code) => checkin({ code, meetingId: p.meetingId })))
    expect(results.slice(0, 5).map((r) => r.code)).toEqual(Array(5).fill('CHECKIN_CODE'))
    expect(new Set(results.slice(5).map((r) => r.code))).toEqual(new Set(['CHECKIN_LOCKED']))

    const [right] = await push(headers, [checkin({ code: p.checkinCode, meetingId: p.meetingId })])
    expect(right).toMatchObject({ status: 'rejected', code: 'CHECKIN_LOCKED' })
    expect(await statusOf(leader, p.meetingId, person.id)).toBeNull()
    // The member's page says until when: an hour after the fifth wrong code.
    const mine = await get<MyAttendance>(headers, '/api/v1/attendance/me')
    expect(mine.checkinLockedUntil).toBeGreaterThanOrEqual(before + HOUR)
    expect(mine.checkinLockedUntil).toBeLessThanOrEqual(Date.now() + HOUR)
  })

  it('locks typed codes too: a typed guess that matches nothing counts', async () => {
    const headers = await signIn(ctx.app, members[1]!.phone)
    const p = await create(leader, meeting())
    const results = await push(headers, wrongCodes(p.checkinCode, 20).map((code) => checkin({ code })))
    expect(results.slice(0, 5).every((r) => r.status === 'applied')).toBe(true)
    expect(new Set(results.slice(5).map((r) => r.code))).toEqual(new Set(['CHECKIN_LOCKED']))
    const [right] = await push(headers, [checkin({ code: p.checkinCode })])
    expect(right).toMatchObject({ code: 'CHECKIN_LOCKED' })
  })

  it('answers a wrong code and the right code of another branch’s meeting alike', async () => {
    const headers = await signIn(ctx.app, members[2]!.phone)
    const host = await create(hostLeader, meeting({ orgUnitId: hostGroupId }))
    const [wrong, right] = await push(headers, [
      checkin({ code: wrongCodes(host.checkinCode, 1)[0]!, meetingId: host.meetingId }),
      checkin({ code: host.checkinCode, meetingId: host.meetingId }),
    ])
    expect(wrong!.status).toBe('rejected')
    expect(withoutId(right!)).toEqual(withoutId(wrong!))
    // Typed without the meeting: both wait for a meeting of the member's own units, alike.
    const [typedWrong, typedRight] = await push(headers, [checkin({ code: wrongCodes(host.checkinCode, 1)[0]! }), checkin({ code: host.checkinCode })])
    expect(withoutId(typedRight!)).toEqual(withoutId(typedWrong!))
    // Both count: a fifth attempt of either kind locks.
    const [fifth] = await push(headers, [checkin({ code: host.checkinCode, meetingId: host.meetingId })])
    expect(fifth).toMatchObject({ code: 'CHECKIN_CODE' })
    const [sixth] = await push(headers, [checkin({ code: host.checkinCode, meetingId: host.meetingId })])
    expect(sixth).toMatchObject({ code: 'CHECKIN_LOCKED' })
  })

  it('counts wrong codes across batches and across two server instances on one database', async () => {
    const person = members[3]!
    const second = await buildApp({ handle: ctx.testDb })
    await second.ready()
    try {
      const headers = await signIn(ctx.app, person.phone)
      const p = await create(leader, meeting())
      const guesses = wrongCodes(p.checkinCode, 5)
      for (const [i, code] of guesses.entries()) {
        const [r] = await push(headers, [checkin({ code, meetingId: p.meetingId })], i % 2 === 0 ? ctx.app : second)
        expect(r!.code).toBe('CHECKIN_CODE')
      }
      const [right] = await push(headers, [checkin({ code: p.checkinCode, meetingId: p.meetingId })], second)
      expect(right).toMatchObject({ code: 'CHECKIN_LOCKED' })
      expect(await statusOf(leader, p.meetingId, person.id)).toBeNull()
    } finally {
      await second.close()
    }
  })

  it('keeps a flowing member from guessing a guest check-in, ten codes a push', async () => {
    const flowingRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[1].phone)!
    const flowing = await signIn(ctx.app, flowingRow.phone)
    const host = await create(hostLeader, meeting({ orgUnitId: hostGroupId }))
    const card = () => get<{ items: FlowingRecord[]; confirmedCount: number }>(flowing, '/api/v1/flowing-records/me')
    const before = await card()
    const guesses = [...wrongCodes(host.checkinCode, 129), host.checkinCode]
    const answers: Result[] = []
    for (let i = 0; i < guesses.length; i += 10) {
      answers.push(...(await push(flowing, guesses.slice(i, i + 10).map((code) => checkin({ code, meetingId: host.meetingId })))))
    }
    expect(answers.at(-1)).toMatchObject({ status: 'rejected', code: 'CHECKIN_LOCKED' })
    expect(answers.filter((r) => r.status === 'applied')).toHaveLength(0)
    expect(await statusOf(hostLeader, host.meetingId, flowingRow.id)).toBeNull()
    const after = await card()
    expect(after.items.length).toBe(before.items.length)
  })

  it('checks in with the QR token while the member’s typed code is locked', async () => {
    const person = members[4]!
    const headers = await signIn(ctx.app, person.phone)
    const p = await create(leader, meeting())
    await push(headers, wrongCodes(p.checkinCode, 5).map((code) => checkin({ code, meetingId: p.meetingId })))
    const [typed] = await push(headers, [checkin({ code: p.checkinCode, meetingId: p.meetingId })])
    expect(typed!.code).toBe('CHECKIN_LOCKED')
    const [scanned] = await push(headers, [checkin({ code: p.checkinCode, meetingId: p.meetingId, token: p.checkinToken })])
    expect(scanned!.status).toBe('applied')
    expect(await statusOf(leader, p.meetingId, person.id)).toBe('checked_in')
  })

  it('stops typed codes for a meeting after 30 wrong ones from several people; the QR still works and the leader sees why', async () => {
    const host = await create(hostLeader, meeting({ orgUnitId: hostGroupId }))
    const guesses = wrongCodes(host.checkinCode, 30)
    for (let i = 0; i < 6; i++) {
      const headers = await signIn(ctx.app, hostMembers[i]!.phone)
      const results = await push(headers, guesses.slice(i * 5, i * 5 + 5).map((code) => checkin({ code, meetingId: host.meetingId })))
      expect(results.every((r) => r.code === 'CHECKIN_CODE')).toBe(true)
    }
    const honest = hostMembers[6]!
    const headers = await signIn(ctx.app, honest.phone)
    const [typed] = await push(headers, [checkin({ code: host.checkinCode })])
    expect(typed).toMatchObject({ status: 'rejected', code: 'CHECKIN_QR_ONLY' })
    const [named] = await push(headers, [checkin({ code: host.checkinCode, meetingId: host.meetingId })])
    expect(named).toMatchObject({ status: 'rejected', code: 'CHECKIN_QR_ONLY' })
    const [scanned] = await push(headers, [checkin({ code: host.checkinCode, meetingId: host.meetingId, token: host.checkinToken })])
    expect(scanned!.status).toBe('applied')
    const detail = await get<MeetingDetail>(hostLeader, `/api/v1/attendance/meetings/${host.meetingId}`)
    expect(detail.meeting).toMatchObject({ wrongCodes: 30, typedCodeLocked: true })
    expect(detail.attendees.find((a) => a.personId === honest.id)?.status).toBe('checked_in')
  })

  it('counts a resent wrong code once, answers a resent record as first judged, and a resent check-in `duplicate` even while locked', async () => {
    const headers = await signIn(ctx.app, members[7]!.phone)
    const p = await create(leader, meeting())
    const ok = checkin({ code: p.checkinCode, meetingId: p.meetingId })
    expect((await push(headers, [ok]))[0]!.status).toBe('applied')
    // A lost answer makes the phone send the same batch again: one wrong code, not six.
    const wrong = checkin({ code: wrongCodes(p.checkinCode, 1)[0]!, meetingId: p.meetingId })
    for (let i = 0; i < 6; i++) expect((await push(headers, [wrong]))[0]!.code).toBe('CHECKIN_CODE')
    // The same record id with another code gets the answer it first got: it cannot be a new guess.
    expect((await push(headers, [{ ...wrong, payload: { code: p.checkinCode, meetingId: p.meetingId } }]))[0]!.code).toBe('CHECKIN_CODE')
    // New records with wrong codes are guesses: four more lock the person out.
    for (const code of wrongCodes(p.checkinCode, 5).slice(1)) {
      expect((await push(headers, [checkin({ code, meetingId: p.meetingId })]))[0]!.code).toBe('CHECKIN_CODE')
    }
    expect((await push(headers, [checkin({ code: p.checkinCode, meetingId: p.meetingId })]))[0]!.code).toBe('CHECKIN_LOCKED')
    expect((await push(headers, [ok]))[0]!.status).toBe('duplicate')
  })

  it('still accepts an old QR code (meeting + code) and a meeting made by a phone that sends no token', async () => {
    const headers = await signIn(ctx.app, members[5]!.phone)
    const { checkinToken: _t, ...old } = meeting()
    await create(leader, old)
    const [r] = await push(headers, [checkin({ code: old.checkinCode, meetingId: old.meetingId })])
    expect(r!.status).toBe('applied')
    expect(await statusOf(leader, old.meetingId, members[5]!.id)).toBe('checked_in')
  })

  it('judges a scanned token that reached the server before its meeting when the meeting arrives', async () => {
    const person = members[6]!
    const headers = await signIn(ctx.app, person.phone)
    const p = meeting()
    // A stale code with the right token: the token is the proof.
    const [r] = await push(headers, [checkin({ code: wrongCodes(p.checkinCode, 1)[0]!, meetingId: p.meetingId, token: p.checkinToken })])
    expect(r!.status).toBe('applied')
    await create(leader, p)
    expect(await statusOf(leader, p.meetingId, person.id)).toBe('checked_in')
  })

  it('credits a flowing guest’s QR token check-in as confirmed at home, a typed code only for review', async () => {
    const guestRow = ctx.seed.people.find((p) => p.org_unit_id === groupId && p.is_flowing === 1 && p.phone !== DEMO_LOGINS[1].phone)!
    const guest = await signIn(ctx.app, guestRow.phone)
    const scanned = await create(hostLeader, meeting({ orgUnitId: hostGroupId }))
    const typed = await create(hostLeader, meeting({ orgUnitId: hostGroupId }))
    const results = await push(guest, [
      checkin({ code: scanned.checkinCode, meetingId: scanned.meetingId, token: scanned.checkinToken }),
      checkin({ code: typed.checkinCode }),
    ])
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const card = await get<{ items: FlowingRecord[] }>(guest, '/api/v1/flowing-records/me')
    expect(card.items.find((r) => r.meetingId === scanned.meetingId)?.status).toBe('confirmed')
    expect(card.items.find((r) => r.meetingId === typed.meetingId)?.status).toBe('pending')
    // The home leader confirms the typed one like any record-card entry.
    const rec = card.items.find((r) => r.meetingId === typed.meetingId)!
    const [review] = await push(leader, [record('flowing_record_review', { recordId: rec.id, decision: 'confirmed' })])
    expect(review!.status).toBe('applied')
  })
})
