/**
 * Flowing members' record cards 一卡 on the phone. A new record and a leader's review are each
 * one Dexie transaction with their outbox record, so they show at once and survive days offline.
 */
import { db, type FlowingRecordRow } from '@/db/db.ts'
import type { FlowingRecord, FlowingRecordPayload, FlowingRecordReviewPayload } from '@/protocol/flowing.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'

const byHeldOnDesc = (a: FlowingRecordRow, b: FlowingRecordRow) => b.heldOn - a.heldOn || b.createdAt - a.createdAt

export const flowingDb = {
  mine: async (personId: string): Promise<FlowingRecordRow[]> =>
    (await db.flowingRecords.where('personId').equals(personId).toArray()).sort(byHeldOnDesc),
  /** Others' records waiting for this leader (a review made here hides the record at once). */
  queue: async (personId: string): Promise<FlowingRecordRow[]> =>
    (await db.flowingRecords.where('status').equals('pending').toArray()).filter((r) => r.personId !== personId).sort((a, b) => a.heldOn - b.heldOn),
  /** Others' cards reviewed lately (as last read from the server), newest review first, with their history. */
  reviewed: async (personId: string): Promise<FlowingRecordRow[]> =>
    (await db.flowingRecords.where('status').anyOf(['confirmed', 'returned']).toArray())
      .filter((r) => r.personId !== personId && r.reviews?.length)
      .sort((a, b) => (b.reviewedAt ?? 0) - (a.reviewedAt ?? 0)),
}

/** Records a flowing member's organisational life away from home; offline it waits in the outbox. */
export async function addFlowingRecord(payload: FlowingRecordPayload, me: { id: string; name: string; orgUnitId: string }): Promise<void> {
  await db.transaction('rw', [db.flowingRecords, db.outbox], async () => {
    const recordId = await enqueue(db, 'flowing_record', payload)
    await db.flowingRecords.put({
      id: payload.recordId,
      personId: me.id,
      personName: me.name,
      orgUnitId: me.orgUnitId,
      heldOn: payload.heldOn,
      place: payload.place,
      organisation: payload.organisation,
      content: payload.content,
      hasPhoto: !!payload.photo,
      status: 'pending',
      reason: null,
      reviewedByName: null,
      reviewedAt: null,
      createdAt: Date.now(),
      recordId,
    })
  })
}

/**
 * A leader confirms or returns a record; the list updates at once, the server hears on the next
 * sync. The review is based on what this phone shows: a review made here and not yet sent, else
 * the server's review in force (none for a pending card). Offline, the server later keeps it in
 * history only if someone else reviewed the card meanwhile (docs/sync-protocol.md).
 */
export async function addReview(payload: Omit<FlowingRecordReviewPayload, 'basedOn'>): Promise<void> {
  await db.transaction('rw', [db.flowingRecords, db.outbox], async () => {
    const row = await db.flowingRecords.get(payload.recordId)
    // A card cached by an older app version has no reviewId: say nothing (the old-phone rule).
    const basedOn = row?.reviewRecordId ?? row?.reviewId
    const reviewRecordId = await enqueue(db, 'flowing_record_review', basedOn === undefined ? payload : { ...payload, basedOn })
    await db.flowingRecords.update(payload.recordId, { status: payload.decision, reason: payload.reason ?? null, reviewRecordId })
  })
}

/**
 * Replaces cached records of `personId` (own: `own = true`; otherwise everyone else's queue) with
 * the server's, keeping rows whose write is still in the outbox: the server has not heard of them.
 */
export async function cacheFlowing(personId: string, own: boolean, items: FlowingRecord[]): Promise<void> {
  await db.transaction('rw', [db.flowingRecords, db.outbox], async () => {
    const waiting = new Set(
      (await db.outbox.where('kind').anyOf(['flowing_record', 'flowing_record_review']).toArray()).map((r) => r.id),
    )
    const rows = await db.flowingRecords.toArray()
    const mine = (r: FlowingRecordRow) => (r.personId === personId) === own
    const keep = new Set(
      rows.filter((r) => mine(r) && ((r.recordId && waiting.has(r.recordId)) || (r.reviewRecordId && waiting.has(r.reviewRecordId)))).map((r) => r.id),
    )
    await db.flowingRecords.bulkDelete(rows.filter((r) => mine(r) && !keep.has(r.id)).map((r) => r.id))
    await db.flowingRecords.bulkPut(items.filter((r) => !keep.has(r.id)))
  })
}
