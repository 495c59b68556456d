/**
 * `flowing_record_review`: a leader of the member's home group (or higher) confirms a flowing
 * member's record, or returns it with a reason the member reads on their phone. Authorised per
 * record on the member's current unit; nobody reviews their own record. Every review is kept
 * (`flowing_record_review`); it is applied only when based on the review in force, so a
 * mistaken confirmation can be corrected but an older offline review cannot undo a newer one.
 */
import { FlowingRecordReviewPayload } from '../../../../src/protocol/flowing.ts'
import { allows } from '../../../shared/authz.ts'
import { findFlowingRecords, reviewStates } from '../../flowing/flowing.repository.ts'
import { wins } from '../basedOn.ts'
import { defineKind, type Refusal } from './kind.ts'

export const flowingRecordReview = defineKind({
  kind: 'flowing_record_review',
  payload: FlowingRecordReviewPayload,
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const found = await findFlowingRecords(ctx.trx, records.map((r) => r.payload.recordId))
    return records.map(({ payload: p }): Refusal | null => {
      const rec = found.get(p.recordId)
      if (!rec) return { code: 'INVALID_PAYLOAD', message: 'No such record on the server.', field: 'payload.recordId' }
      if (rec.person_id === ctx.auth.personId) {
        return { code: 'FORBIDDEN', message: 'You cannot review your own record.', field: 'payload.recordId' }
      }
      if (!allows(grants, rec.path, 'group_leader')) {
        return { code: 'FORBIDDEN', message: 'Only a leader of this member’s group can review the record.', field: 'payload.recordId' }
      }
      // Confirmed by nobody: the meeting's QR token was the proof. A typed-code guest entry waits for review.
      if (rec.meeting_id && rec.status === 'confirmed' && rec.reviewed_by === null) {
        return { code: 'CONFLICT', message: 'A guest check-in was confirmed by the meeting’s QR code; it needs no review.', field: 'payload.recordId' }
      }
      if (p.decision === 'returned' && !p.reason?.trim()) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.reason is needed to return a record', field: 'payload.reason' }
      }
      return null
    })
  },
  async apply({ trx, receivedAt }, records) {
    const states = await reviewStates(trx, records.map((r) => r.payload.recordId))
    for (const r of records) {
      const p = r.payload
      const state = states.get(p.recordId)!
      const current = state.current
      const applied = wins(current, { id: r.id, author: r.personId, basedOn: p.basedOn }, state.basedOnOf)
      const reason = p.decision === 'returned' ? p.reason!.trim() : p.reason?.trim() || null
      await trx
        .insertInto('flowing_record_review')
        .values({
          id: r.id,
          record_id: p.recordId,
          decision: p.decision,
          reason,
          reviewed_by: r.personId,
          device: r.deviceId,
          based_on: p.basedOn ?? null,
          overruled_by: applied ? null : current!.id,
          created_at: r.at,
          received_at: receivedAt,
        })
        .execute()
      state.basedOnOf.set(r.id, p.basedOn ?? null)
      if (!applied) continue
      state.current = { id: r.id, author: r.personId }
      await trx
        .updateTable('flowing_record')
        .set({ status: p.decision, reason: p.decision === 'returned' ? reason : null, reviewed_by: r.personId, reviewed_at: receivedAt, review_id: r.id })
        .where('id', '=', p.recordId)
        .execute()
    }
  },
})
