/**
 * Record-card 一卡 reviews keep an append-only history (who, when, decision, note, based-on) and a
 * review made without seeing the current one does not replace it. Real API, both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { FlowingRecord, FlowingRecordPayload, FlowingRecordReviewPayload } from '../../../src/protocol/flowing.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const DAY = 24 * 60 * 60 * 1000

const record = (kind: string, payload: unknown, createdAt = Date.now()): PushRecord => ({ id: uuidv7(), kind, payload, createdAt, deviceId: 'device-a' })
const review = (p: FlowingRecordReviewPayload, createdAt?: number) => record('flowing_record_review', p, createdAt)

describe.each(DIALECTS)('record-card review history on %s', (dialect) => {
  let ctx: TestContext
  let flowing: Headers
  let leader: Headers
  let secretary: Headers
  let groupId: string
  let leaderName: string
  let secretaryName: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const byPhone = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
    groupId = byPhone(DEMO_LOGINS[1].phone).org_unit_id
    leaderName = byPhone(DEMO_LOGINS[2].phone).name
    secretaryName = byPhone(DEMO_LOGINS[3].phone).name
    flowing = await signIn(ctx.app, DEMO_LOGINS[1].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[]) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results as { id: string; status: string; code?: string }[]
  }
  const newCard = async (): Promise<string> => {
    const p: FlowingRecordPayload = {
      recordId: crypto.randomUUID(),
      heldOn: Date.now() - 2 * DAY,
      place: '深圳市龙岗区',
      organisation: '园区流动党员党支部',
      content: '参加主题党日',
    }
    expect((await push(flowing, [record('flowing_record', p)]))[0]!.status).toBe('applied')
    return p.recordId
  }
  const card = async (id: string): Promise<FlowingRecord> => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/flowing-records/me', headers: flowing })
    return (res.json().items as FlowingRecord[]).find((r) => r.id === id)!
  }
  const leadersView = async (id: string, status: FlowingRecord['status']): Promise<FlowingRecord | undefined> => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/flowing-records?orgUnitId=${groupId}&status=${status}`, headers: leader })
    expect(res.statusCode).toBe(200)
    return (res.json().items as FlowingRecord[]).find((r) => r.id === id)
  }

  it.each([
    ['in the order they were made', false],
    ['in reverse order', true],
  ])('keeps both reviews of one card arriving %s; the current one is the one based on the latest', async (_, reversed) => {
    const id = await newCard()
    const confirm = review({ recordId: id, decision: 'confirmed', basedOn: null }, Date.now() - 2 * 60 * 60 * 1000)
    // The secretary saw the confirmation and returned the card: based on it.
    const returned = review({ recordId: id, decision: 'returned', reason: '请补充会议照片', basedOn: confirm.id })
    const order: [Headers, PushRecord][] = [
      [leader, confirm],
      [secretary, returned],
    ]
    if (reversed) order.reverse()
    for (const [who, r] of order) expect((await push(who, [r]))[0]!.status).toBe('applied')

    const c = await card(id)
    expect(c).toMatchObject({ status: 'returned', reason: '请补充会议照片', reviewId: returned.id, reviewedByName: secretaryName })
    // History is in arrival order.
    const made = [
      [confirm.id, 'confirmed', null],
      [returned.id, 'returned', confirm.id],
    ]
    expect(c.reviews!.map((r) => [r.id, r.decision, r.basedOn])).toEqual(reversed ? made.reverse() : made)
    const current = c.reviews!.find((r) => r.id === returned.id)!
    expect(current).toMatchObject({ reviewedByName: secretaryName, reason: '请补充会议照片', overruledBy: null })
    // Arriving after the review that was based on it, the confirmation is history only.
    expect(c.reviews!.find((r) => r.id === confirm.id)!.overruledBy).toEqual(reversed ? { name: secretaryName, decision: 'returned', at: expect.any(Number) } : null)
    // Leaders see the same history where they review cards.
    expect((await leadersView(id, 'returned'))!.reviews).toEqual(c.reviews)
  })

  it('keeps the first of two reviews made without seeing each other, and the second in history with who overruled it', async () => {
    const id = await newCard()
    const confirm = review({ recordId: id, decision: 'confirmed', basedOn: null })
    const returned = review({ recordId: id, decision: 'returned', reason: '地点不详', basedOn: null })
    await push(leader, [confirm])
    expect((await push(secretary, [returned]))[0]!.status).toBe('applied')
    const c = await card(id)
    expect(c).toMatchObject({ status: 'confirmed', reason: null, reviewId: confirm.id, reviewedByName: leaderName })
    expect(c.reviews!.map((r) => [r.decision, r.reviewedByName, r.overruledBy?.name ?? null])).toEqual([
      ['confirmed', leaderName, null],
      ['returned', secretaryName, leaderName],
    ])
    expect(c.reviews![1]!.reason).toBe('地点不详')
    // Where leaders review cards: the newest reviewed ones, with the overruled review.
    const recent = await ctx.app.inject({ method: 'GET', url: `/api/v1/flowing-records/reviewed?orgUnitId=${groupId}`, headers: secretary })
    expect(recent.statusCode).toBe(200)
    const listed = (recent.json().items as FlowingRecord[])[0]!
    expect(listed).toMatchObject({ id, status: 'confirmed' })
    expect(listed.reviews).toEqual(c.reviews)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/flowing-records/reviewed?orgUnitId=${groupId}`, headers: flowing })).statusCode).toBe(403)
  })

  it('lets an old phone with no based-on field correct its own review, and treats a replay as harmless', async () => {
    const id = await newCard()
    const confirm = review({ recordId: id, decision: 'confirmed' })
    const fix = review({ recordId: id, decision: 'returned', reason: '日期有误' })
    await push(leader, [confirm])
    await push(leader, [fix])
    const before = await card(id)
    expect(before).toMatchObject({ status: 'returned', reviewId: fix.id })
    expect((await push(leader, [confirm]))[0]!.status).toBe('duplicate')
    expect(await card(id)).toEqual(before)
    expect(before.reviews).toHaveLength(2)
  })
})
