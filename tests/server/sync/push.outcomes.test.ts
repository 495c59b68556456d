/**
 * What a push answers must not change with time: a record resent after its first answer was lost
 * gets that answer again (stored with its id), never a fresh judgement by rules that have since
 * changed their mind. One bad record is refused on its own and never fails its batch, and times
 * judged by the server come from the device's corrected clock, bounded by the server's.
 */
import { sql } from 'kysely'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthContext } from '../../../server/features/auth/auth.repository.ts'
import { KINDS, type RegisteredKind } from '../../../server/features/sync/kinds/index.ts'
import { defineKind } from '../../../server/features/sync/kinds/kind.ts'
import { applyPushBatch } from '../../../server/features/sync/push.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { AttendanceMarkPayload, MeetingCreatePayload } from '../../../src/protocol/attendance.ts'
import type { PushRecord, PushResult } from '../../../src/protocol/sync.ts'
import { buildTestApp, foldReports, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { meetingPayload, studyRecord } from './pushSupport.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

/** A kind whose handler fails for one record: in code, or in the database (a table that does not exist). */
const fragile = defineKind({
  kind: 'test_fragile',
  payload: Type.Object({ n: Type.Integer(), fail: Type.Optional(Type.Union([Type.Literal('throw'), Type.Literal('sql')])) }, { additionalProperties: false }),
  async authorize(_ctx, records) {
    return records.map(() => null)
  },
  async apply({ trx }, records) {
    for (const r of records) {
      if (r.payload.fail === 'throw') throw new Error('handler bug')
      if (r.payload.fail === 'sql') await sql`insert into no_such_table (id) values (${r.id})`.execute(trx)
      await trx.insertInto('study_event').values({ id: r.id, person_id: r.personId, lesson_id: `fragile-${r.payload.n}`, course_id: 'fragile', kind: 'opened', seconds: 0, created_at: r.createdAt, received_at: 0 }).execute()
    }
  },
})
const withFragile = new Map<string, RegisteredKind>([...KINDS, [fragile.kind, { def: fragile, validator: Compile(fragile.payload) }]])

describe.each(DIALECTS)('push outcomes on %s', (dialect) => {
  let ctx: TestContext
  let member: AuthContext
  let leader: AuthContext
  let groupId: string
  const as = async (phone: string): Promise<AuthContext> => {
    const p = await ctx.testDb.db.selectFrom('person').select('id').where('phone', '=', phone).executeTakeFirstOrThrow()
    return { personId: p.id, sessionId: 's', deviceName: 'test' }
  }
  const send = (auth: AuthContext, records: PushRecord[], receivedAt = Date.now(), kinds = KINDS) =>
    applyPushBatch(ctx.testDb.db, auth, { deviceId: 'device-a', outboxCount: records.length, records }, receivedAt, kinds)
  const record = (kind: string, payload: unknown, extra: Partial<PushRecord> = {}): PushRecord => ({ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'device-a', ...extra })
  const meeting = (over: Partial<MeetingCreatePayload> = {}) => meetingPayload(groupId, over)
  const marksOf = (meetingId: string) => ctx.testDb.db.selectFrom('attendance_mark').select(['person_id', 'status']).where('meeting_id', '=', meetingId).execute()
  const statusOf = (results: PushResult[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    member = await as(DEMO_LOGINS[0].phone)
    leader = await as(DEMO_LOGINS[2].phone)
    groupId = ctx.seed.people.find((p) => p.id === member.personId)!.org_unit_id
  })
  afterAll(() => ctx.close())

  describe('a replay gets the answer the first send got', () => {
    it('answers duplicate to a check-in resent after its window closed', async () => {
      const m = meeting()
      expect(statusOf(await send(leader, [record('meeting_create', m)]))).toEqual(['applied'])
      const checkin = record('checkin', { code: m.checkinCode, meetingId: m.meetingId })
      expect(statusOf(await send(member, [checkin]))).toEqual(['applied'])
      // The answer was lost; the phone resends four days later, when the window has long closed.
      expect(statusOf(await send(member, [checkin], Date.now() + 4 * DAY))).toEqual(['duplicate'])
      expect((await marksOf(m.meetingId)).filter((x) => x.status === 'checked_in')).toHaveLength(1)
    })

    it('answers duplicate to marks resent after the leader’s role was removed', async () => {
      const m = meeting()
      const marks = record('attendance_mark', { meetingId: m.meetingId, orgUnitId: groupId, marks: [{ personId: member.personId, status: 'present' }] } satisfies AttendanceMarkPayload)
      expect(statusOf(await send(leader, [record('meeting_create', m), marks]))).toEqual(['applied', 'applied'])
      const role = await ctx.testDb.db.selectFrom('role').selectAll().where('person_id', '=', leader.personId).where('role', '=', 'group_leader').execute()
      await ctx.testDb.db.deleteFrom('role').where('person_id', '=', leader.personId).where('role', '=', 'group_leader').execute()
      try {
        expect(statusOf(await send(leader, [marks]))).toEqual(['duplicate'])
      } finally {
        await ctx.testDb.db.insertInto('role').values(role).execute()
      }
      expect(await marksOf(m.meetingId)).toHaveLength(1)
    })

    it('answers a refused record’s replay with the same refusal, even once the rule would allow it', async () => {
      const m = meeting()
      await send(leader, [record('meeting_create', m)])
      const marks = record('attendance_mark', { meetingId: m.meetingId, orgUnitId: groupId, marks: [{ personId: member.personId, status: 'present' }] })
      const first = await send(member, [marks])
      expect(statusOf(first)).toEqual(['FORBIDDEN'])
      await ctx.testDb.db.insertInto('role').values({ person_id: member.personId, org_unit_id: groupId, role: 'group_leader' }).execute()
      try {
        expect(await send(member, [marks])).toEqual(first)
      } finally {
        await ctx.testDb.db.deleteFrom('role').where('person_id', '=', member.personId).where('role', '=', 'group_leader').execute()
      }
      expect(await marksOf(m.meetingId)).toHaveLength(0)
    })

    it('keeps nothing for a kind the server does not know yet, and applies it once the kind exists', async () => {
      const r = record('test_fragile', { n: 1 })
      expect(statusOf(await send(member, [r]))).toEqual(['UNKNOWN_KIND'])
      expect(statusOf(await send(member, [r]))).toEqual(['UNKNOWN_KIND'])
      expect(statusOf(await send(member, [r], Date.now(), withFragile))).toEqual(['applied'])
      expect(statusOf(await send(member, [r], Date.now(), withFragile))).toEqual(['duplicate'])
    })

    it('stores the link from a corrected record to the refused one it replaces', async () => {
      const refused = studyRecord({ seconds: 999_999 })
      expect(statusOf(await send(member, [refused]))).toEqual(['INVALID_PAYLOAD'])
      const fixed = studyRecord({ seconds: 600 }, { replaces: refused.id })
      expect(statusOf(await send(member, [fixed]))).toEqual(['applied'])
      const row = await ctx.testDb.db.selectFrom('applied_record').select(['replaces', 'status']).where('id', '=', fixed.id).executeTakeFirstOrThrow()
      expect(row).toEqual({ replaces: refused.id, status: 'applied' })
    })
  })

  describe('one bad record never blocks a phone', () => {
    const pushRoute = async (records: unknown[], outboxCount = records.length) => {
      const headers = await signIn(ctx.app, DEMO_LOGINS[0].phone)
      return ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-b', outboxCount, records } })
    }

    it.each([
      ['a createdAt beyond any clock', studyRecord({}, { createdAt: 1e20 }), 'createdAt'],
      ['a createdAt before 2020', studyRecord({}, { createdAt: 0 }), 'createdAt'],
      ['a correctedAt beyond any clock', studyRecord({}, { correctedAt: -1e18 }), 'correctedAt'],
      ['a NUL in a payload text', studyRecord({ lessonId: 'lesson\u0000-1' }), 'payload.lessonId'],
      ['a lone surrogate in a payload text', studyRecord({ courseId: 'course-\ud800' }), 'payload.courseId'],
      ['a NUL in the record’s deviceId', studyRecord({}, { deviceId: 'dev\u0000' }), 'deviceId'],
      ['more study in one record than a sitting can hold', studyRecord({ seconds: 5 * 60 * 60 }), 'payload.seconds'],
    ])('refuses %s on its own and applies the rest of the batch', async (_name, bad, field) => {
      const good = [studyRecord(), studyRecord()]
      const res = await pushRoute([good[0], bad, good[1]])
      expect(res.statusCode, res.body).toBe(200)
      const results = res.json().results
      expect(results.map((r: PushResult) => r.status)).toEqual(['applied', 'rejected', 'applied'])
      expect(results[1]).toMatchObject({ code: 'INVALID_PAYLOAD', field })
      const stored = await ctx.testDb.db.selectFrom('study_event').select('id').where('id', 'in', [...good, bad].map((r) => r.id)).execute()
      expect(stored.map((r) => r.id).sort()).toEqual(good.map((r) => r.id).sort())
    })

    it('finds a NUL at any depth of any kind’s payload', async () => {
      const m = meeting()
      await send(leader, [record('meeting_create', m)])
      const marks = record('attendance_mark', { meetingId: m.meetingId, orgUnitId: groupId, marks: [{ personId: member.personId, status: 'leave', reason: 'sick\u0000' }] })
      expect(await send(leader, [marks])).toEqual([expect.objectContaining({ status: 'rejected', code: 'INVALID_PAYLOAD', field: 'payload.marks.0.reason' })])
    })

    it.each(['throw', 'sql'] as const)('refuses only the record whose handler fails (%s) and applies the rest', async (fail) => {
      const ok = [record('test_fragile', { n: 1 }), record('test_fragile', { n: 2 })]
      const poison = record('test_fragile', { n: 3, fail })
      const study = studyRecord()
      const results = await send(member, [ok[0]!, poison, study, ok[1]!], Date.now(), withFragile)
      expect(statusOf(results)).toEqual(['applied', 'UNPROCESSABLE', 'applied', 'applied'])
      expect(results[1]).toMatchObject({ message: expect.any(String) })
      const stored = await ctx.testDb.db.selectFrom('study_event').select('id').where('id', 'in', [...ok, poison, study].map((r) => r.id)).execute()
      expect(stored).toHaveLength(3)
      // Final: its replay is answered the same way without running the handler again.
      expect(await send(member, [poison], Date.now(), withFragile)).toEqual([results[1]])
    })

    it('does not let a push of refused records set the device’s waiting count', async () => {
      const device = () => ctx.testDb.db.selectFrom('sync_device').select(['outbox_count', 'pending_count']).where('device_id', '=', 'device-b').where('person_id', '=', member.personId).executeTakeFirst()
      const res = await pushRoute([studyRecord({ seconds: -1 }), studyRecord({ seconds: -2 })], 9_999_999)
      expect(res.statusCode).toBe(200)
      expect(Number((await device())?.pending_count ?? 0)).toBeLessThan(1_000)
      // A count smaller than the batch is at least the batch.
      await pushRoute([studyRecord(), studyRecord(), studyRecord()], 0)
      expect(await device()).toMatchObject({ outbox_count: 3, pending_count: 0 })
    })
  })

  describe('times judged by the server', () => {
    it('accepts a check-in made in the window by a phone a day slow that knew its offset', async () => {
      const m = meeting({ startsAt: Date.now() - 26 * HOUR, endsAt: Date.now() - 25 * HOUR })
      expect(statusOf(await send(leader, [record('meeting_create', m)]))).toEqual(['applied'])
      const madeAt = Date.now() - 25.5 * HOUR
      const checkin = record('checkin', { code: m.checkinCode, meetingId: m.meetingId }, { createdAt: madeAt - DAY, correctedAt: madeAt })
      expect(statusOf(await send(member, [checkin]))).toEqual(['applied'])
      expect(await marksOf(m.meetingId)).toEqual([{ person_id: member.personId, status: 'checked_in' }])
    })

    it('takes "last studied" from the corrected time and never from a clock a year fast', async () => {
      const lastStudied = async () => {
        await foldReports(ctx)
        return Number((await ctx.testDb.db.selectFrom('report_person_stats').select('last_study_at').where('person_id', '=', leader.personId).executeTakeFirstOrThrow()).last_study_at)
      }
      const studiedAt = Date.now() - 2 * DAY
      const receivedAt = Date.now()
      await send(leader, [studyRecord({}, { createdAt: studiedAt + 365 * DAY, correctedAt: studiedAt })], receivedAt)
      expect(await lastStudied()).toBe(studiedAt)
      // Without an offset the year-fast clock is capped by the server's: never in the future.
      await send(leader, [studyRecord({}, { createdAt: Date.now() + 365 * DAY })], receivedAt)
      expect(await lastStudied()).toBe(receivedAt)
    })
  })
})
