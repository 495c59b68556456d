/**
 * Two server instances on one PostgreSQL database receive the same records at the same time
 * (a phone retrying through a load balancer). Each record must be applied exactly once.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { connect, type DbHandle } from '../../../server/db/connect.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { PG_URL } from '../../support/testDb.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { studyRecord } from './pushSupport.ts'

describe('push sync with two server instances on one PostgreSQL database', () => {
  let ctx: TestContext
  let second: { app: App; handle: DbHandle }
  let auth: { authorization: string }

  beforeAll(async () => {
    ctx = await buildTestApp('postgres')
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(ctx.testDb.db)
    const handle = connect({ url: PG_URL, pgSchema: rows[0]!.schema })
    second = { app: await buildApp({ handle }), handle }
    await second.app.ready()
    auth = await signIn(ctx.app, DEMO_LOGINS[0].phone)
  })
  afterAll(async () => {
    await second.app.close()
    await second.handle.db.destroy()
    await ctx.close()
  })

  it('applies each record once when both instances get overlapping batches at the same time', async () => {
    const records = Array.from({ length: 400 }, () => studyRecord())
    const shuffled = [...records].sort(() => Math.random() - 0.5)
    const batches = [records, shuffled, records.slice(100, 300), [...records].reverse(), shuffled.slice(0, 250), records]
    const apps = [ctx.app, second.app]
    const responses = await Promise.all(
      batches.map((batch, i) =>
        apps[i % 2]!.inject({
          method: 'POST',
          url: '/api/v1/sync/push',
          headers: auth,
          payload: { deviceId: 'device-a', outboxCount: batch.length, records: batch },
        }),
      ),
    )
    const applied = new Map<string, number>()
    for (const res of responses) {
      // A retryable 503 is allowed (the client sends again); a 500 is not.
      expect([200, 503]).toContain(res.statusCode)
      if (res.statusCode !== 200) continue
      for (const r of res.json().results as { id: string; status: string }[]) {
        expect(['applied', 'duplicate']).toContain(r.status)
        if (r.status === 'applied') applied.set(r.id, (applied.get(r.id) ?? 0) + 1)
      }
    }
    expect([...applied.values()].every((n) => n === 1)).toBe(true)
    const ids = records.map((r) => r.id)
    const rows = await ctx.testDb.db.selectFrom('study_event').select('id').where('id', 'in', ids).execute()
    expect(rows).toHaveLength(records.length)
    expect(applied.size).toBe(records.length)
  })

  it('applies each record once and gives both instances the same stored answer', async () => {
    const [member, flowing, leader] = await Promise.all([0, 1, 2].map((i) => signIn(ctx.app, DEMO_LOGINS[i]!.phone)))
    const person = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    const memberRow = person(DEMO_LOGINS[0].phone)
    const record = (kind: string, payload: unknown) => ({ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'device-a' })
    const push = (app: App, headers: { authorization: string }, records: unknown[]) =>
      app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    const reflectionId = crypto.randomUUID()
    const flowingRecordId = crypto.randomUUID()
    const meetingId = crypto.randomUUID()
    await push(ctx.app, member, [record('reflection_post', { reflectionId, orgUnitId: memberRow.org_unit_id, text: '心得', photos: [] })])
    await push(ctx.app, flowing, [record('flowing_record', { recordId: flowingRecordId, heldOn: Date.now() - 3_600_000, place: '深圳', organisation: '园区支部', content: '主题党日' })])

    const records = [
      record('meeting_create', { meetingId, orgUnitId: memberRow.org_unit_id, type: 'group_meeting', startsAt: Date.now() - 600_000, endsAt: Date.now() + 3_000_000, place: '村委会', topic: '学习', checkinCode: '135790' }),
      record('attendance_mark', { meetingId, orgUnitId: memberRow.org_unit_id, marks: [{ personId: memberRow.id, status: 'present' }] }),
      record('attendance_mark', { meetingId, orgUnitId: memberRow.org_unit_id, marks: [{ personId: memberRow.id, status: 'leave', reason: '生病' }] }),
      record('reflection_like', { reflectionId, liked: true }),
      record('reflection_like', { reflectionId, liked: false }),
      record('reflection_like', { reflectionId, liked: true }),
      record('reflection_review', { reflectionId, status: 'excellent' }),
      record('reflection_reply', { replyId: crypto.randomUUID(), reflectionId, text: '写得好' }),
      record('flowing_record_review', { recordId: flowingRecordId, decision: 'confirmed' }),
      record('study_event', { lessonId: 'l', courseId: 'c', kind: 'studied', seconds: 60 }),
      record('study_event', { lessonId: 'l', courseId: 'c', kind: 'studied', seconds: 999_999 }),
      record('reflection_review', { reflectionId: crypto.randomUUID(), status: 'excellent' }),
    ]
    // Replays from two devices through two instances at once, in the device's order each time.
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => push(i % 2 ? second.app : ctx.app, leader, records)))
    const answers = new Map<string, string[]>()
    for (const res of responses) {
      expect([200, 503]).toContain(res.statusCode)
      if (res.statusCode !== 200) continue
      for (const r of res.json().results as { id: string; status: string; code?: string; message?: string }[]) {
        answers.set(r.id, [...(answers.get(r.id) ?? []), r.status === 'rejected' ? `${r.code}: ${r.message}` : r.status])
      }
    }
    for (const [i, r] of records.entries()) {
      const got = answers.get(r.id) ?? []
      if (i >= 10) expect(new Set(got).size, r.kind).toBe(1)
      else expect(got.filter((a) => a === 'applied'), r.kind).toHaveLength(1)
      if (i < 10) expect(got.every((a) => a === 'applied' || a === 'duplicate'), `${r.kind}: ${got.join(', ')}`).toBe(true)
    }
    const db = ctx.testDb.db
    const count = async (q: Promise<unknown[]>) => (await q).length
    expect(await count(db.selectFrom('meeting').select('id').where('id', '=', meetingId).execute())).toBe(1)
    expect(await count(db.selectFrom('attendance_mark').select('seq').where('meeting_id', '=', meetingId).execute())).toBe(2)
    expect(await count(db.selectFrom('reflection_like').select('person_id').where('reflection_id', '=', reflectionId).execute())).toBe(1)
    expect(await count(db.selectFrom('audit_log').select('id').where('action', '=', 'reflection.review').where('target', '=', reflectionId).execute())).toBe(1)
    expect(await count(db.selectFrom('reflection_reply').select('id').where('reflection_id', '=', reflectionId).execute())).toBe(1)
    expect((await db.selectFrom('flowing_record').select('status').where('id', '=', flowingRecordId).executeTakeFirstOrThrow()).status).toBe('confirmed')
    expect(await count(db.selectFrom('study_event').select('id').where('id', 'in', [records[9]!.id, records[10]!.id]).execute())).toBe(1)
  })
})
