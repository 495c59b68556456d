/**
 * `reflection_review`: a leader of the reflection's group (group leader, branch secretary or a
 * supervisor above) marks it excellent (the whole branch sees it), hides it with a reason (only the
 * author and leaders still see it, with the reason), or sets it back to normal. Nobody reviews their
 * own. A review replaces the one in force only if it was based on it (what the leader's phone
 * showed); one made without seeing it is written to the audit log only, with `overruledBy`.
 */
import { ReflectionReviewPayload } from '../../../../src/protocol/reflections.ts'
import { allows } from '../../../shared/authz.ts'
import { writeAudit } from '../../../shared/audit.ts'
import { findReflections } from '../../reflections/reflections.repository.ts'
import { wins } from '../basedOn.ts'
import { defineKind, type Refusal } from './kind.ts'

export const reflectionReview = defineKind({
  kind: 'reflection_review',
  payload: ReflectionReviewPayload,
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const found = await findReflections(ctx.trx, records.map((r) => r.payload.reflectionId))
    return records.map(({ payload: p }): Refusal | null => {
      const ref = found.get(p.reflectionId)
      if (!ref) return { code: 'INVALID_PAYLOAD', message: 'No such reflection on the server.', field: 'payload.reflectionId' }
      if (ref.person_id === ctx.auth.personId) {
        return { code: 'FORBIDDEN', message: 'You cannot review your own reflection.', field: 'payload.reflectionId' }
      }
      if (!allows(grants, ref.path, 'group_leader')) {
        return { code: 'FORBIDDEN', message: 'Only a leader of this group can review its reflections.', field: 'payload.reflectionId' }
      }
      if (p.status === 'hidden' && !p.reason?.trim()) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.reason is needed to hide a reflection', field: 'payload.reason' }
      }
      return null
    })
  },
  async apply(ctx, records) {
    const ids = records.map((r) => r.payload.reflectionId)
    const found = await findReflections(ctx.trx, ids)
    const inForce = new Map(
      (await ctx.trx.selectFrom('reflection').select(['id', 'review_id', 'reviewed_by']).where('id', 'in', [...new Set(ids)]).execute()).map((r) => [
        r.id,
        r.review_id && r.reviewed_by ? { id: r.review_id, author: r.reviewed_by } : undefined,
      ]),
    )
    for (const r of records) {
      const p = r.payload
      const reason = p.status === 'hidden' ? p.reason!.trim() : null
      const path = found.get(p.reflectionId)?.path ?? null
      const current = inForce.get(p.reflectionId)
      // No chain to walk: one phone sends its reviews in the order made, so each finds the one before in force.
      if (!wins(current, { id: r.id, author: r.personId, basedOn: p.basedOn }, new Map())) {
        await writeAudit(ctx.trx, ctx.auth, 'reflection.review', p.reflectionId, { status: p.status, reason, overruledBy: current!.id }, ctx.receivedAt, path)
        continue
      }
      await ctx.trx
        .updateTable('reflection')
        .set({ status: p.status, reason, reviewed_by: r.personId, reviewed_at: ctx.receivedAt, review_id: r.id })
        .where('id', '=', p.reflectionId)
        .execute()
      inForce.set(p.reflectionId, { id: r.id, author: r.personId })
      await writeAudit(ctx.trx, ctx.auth, 'reflection.review', p.reflectionId, { status: p.status, reason }, ctx.receivedAt, path)
    }
  },
})
