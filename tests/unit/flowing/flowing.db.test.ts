import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '@/db/db.ts'
import { addFlowingRecord, addReview, cacheFlowing, flowingDb } from '@/features/flowing/flowing.db.ts'
import type { FlowingRecord, FlowingRecordPayload } from '@/protocol/flowing.ts'

const ME = { id: 'flowing-1', name: '流动党员', orgUnitId: 'group-1' }
const payload = (recordId: string): FlowingRecordPayload => ({
  recordId,
  heldOn: Date.now() - 86_400_000,
  place: '深圳',
  organisation: '园区党支部',
  content: '主题党日',
})
const serverRow = (id: string, over: Partial<FlowingRecord> = {}): FlowingRecord => ({
  id,
  personId: ME.id,
  personName: ME.name,
  orgUnitId: 'group-1',
  heldOn: Date.now() - 86_400_000,
  place: '深圳',
  organisation: '园区党支部',
  content: '主题党日',
  hasPhoto: false,
  status: 'pending',
  reason: null,
  reviewedByName: null,
  reviewedAt: null,
  createdAt: Date.now(),
  ...over,
})
const A = '0b9d3a4e-1111-4222-8333-944455556661'
const B = '0b9d3a4e-1111-4222-8333-944455556662'

describe('flowing record card on the phone', () => {
  beforeEach(async () => {
    await Promise.all([db.outbox.clear(), db.flowingRecords.clear()])
  })

  it('writes a record and its outbox record together, and keeps it while the server has not heard of it', async () => {
    await addFlowingRecord(payload(A), ME)
    const [out] = await db.outbox.toArray()
    expect(out).toMatchObject({ kind: 'flowing_record', payload: { recordId: A } })
    expect((await flowingDb.mine(ME.id))[0]).toMatchObject({ id: A, status: 'pending', recordId: out!.id })

    // Online refresh before the push: the server's empty card must not wipe the local record.
    await cacheFlowing(ME.id, true, [])
    expect((await flowingDb.mine(ME.id)).map((r) => r.id)).toEqual([A])

    // Pushed (outbox empty) and returned by the leader: the server's row replaces the local one.
    await db.outbox.clear()
    await cacheFlowing(ME.id, true, [serverRow(A, { status: 'returned', reason: '请补充照片' })])
    expect((await flowingDb.mine(ME.id))[0]).toMatchObject({ id: A, status: 'returned', reason: '请补充照片' })
    expect((await flowingDb.mine(ME.id))[0]?.recordId).toBeUndefined()
  })

  it('hides a record the leader reviewed offline until the server agrees', async () => {
    const LEADER = 'leader-1'
    await cacheFlowing(LEADER, false, [serverRow(A), serverRow(B)])
    expect((await flowingDb.queue(LEADER)).map((r) => r.id).sort()).toEqual([A, B])
    await addReview({ recordId: A, decision: 'confirmed' })
    expect((await flowingDb.queue(LEADER)).map((r) => r.id)).toEqual([B])
    // The server still lists A as pending (the review is in the outbox): it stays hidden.
    await cacheFlowing(LEADER, false, [serverRow(A), serverRow(B)])
    expect((await flowingDb.queue(LEADER)).map((r) => r.id)).toEqual([B])
    // Sent: the server's queue no longer has it.
    await db.outbox.clear()
    await cacheFlowing(LEADER, false, [serverRow(B)])
    expect((await flowingDb.queue(LEADER)).map((r) => r.id)).toEqual([B])
    expect(await db.flowingRecords.get(A)).toBeUndefined()
  })

  it('bases a review on what the phone shows: none for a pending card, the server’s review in force, or an unsent one made here', async () => {
    const LEADER = 'leader-1'
    await cacheFlowing(LEADER, false, [serverRow(A, { reviewId: null }), serverRow(B, { status: 'confirmed', reviewId: 'srv-review' })])
    await addReview({ recordId: A, decision: 'confirmed' })
    await addReview({ recordId: B, decision: 'returned', reason: '日期有误' })
    const [first] = await db.outbox.orderBy('seq').toArray()
    // Offline, the leader changes their mind about A: based on their own unsent review.
    await addReview({ recordId: A, decision: 'returned', reason: '地点不详' })
    expect((await db.outbox.orderBy('seq').toArray()).map((r) => r.payload)).toEqual([
      { recordId: A, decision: 'confirmed', basedOn: null },
      { recordId: B, decision: 'returned', reason: '日期有误', basedOn: 'srv-review' },
      { recordId: A, decision: 'returned', reason: '地点不详', basedOn: first!.id },
    ])
  })

  it('lists others’ reviewed cards with their review history, newest review first', async () => {
    const LEADER = 'leader-1'
    const review = { decision: 'confirmed' as const, reason: null, reviewedByName: '李组长', at: 1, basedOn: null }
    await cacheFlowing(LEADER, false, [
      serverRow(A, { status: 'confirmed', reviewedAt: 10, reviews: [{ ...review, id: 'r1', overruledBy: null }] }),
      serverRow(B, { status: 'returned', reviewedAt: 20, reviews: [{ ...review, id: 'r2', overruledBy: { name: '王书记', decision: 'returned', at: 2 } }] }),
    ])
    expect((await flowingDb.reviewed(LEADER)).map((r) => r.id)).toEqual([B, A])
    expect(await flowingDb.queue(LEADER)).toEqual([])
  })
})
