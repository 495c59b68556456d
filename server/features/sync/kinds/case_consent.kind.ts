/**
 * `case_consent`: the author of a reflection proposed as a case (好的进教材) agrees or refuses,
 * from their phone, offline if need be. Only the author answers, and only once: a replay of the
 * same record is a duplicate (the ledger), a second answer from another phone is refused
 * (`CASE_ANSWERED`). An agreement puts the text into the studio drafts of the case's unit, with
 * attribution; a refusal ends the proposal. Both are in the audit log of that unit.
 */
import { CaseConsentPayload } from '../../../../src/protocol/cases.ts'
import { writeAudit } from '../../../shared/audit.ts'
import { draftCase, findProposals } from '../../cases/cases.repository.ts'
import { defineKind, type Refusal } from './kind.ts'

export const caseConsent = defineKind({
  kind: 'case_consent',
  payload: CaseConsentPayload,
  async authorize(ctx, records) {
    const found = await findProposals(ctx.trx, records.map((r) => r.payload.proposalId))
    return records.map(({ payload: p }): Refusal | null => {
      const row = found.get(p.proposalId)
      if (!row) return { code: 'CASE_NOT_FOUND', message: 'No such case proposal on the server.', field: 'payload.proposalId' }
      if (row.author_id !== ctx.auth.personId) return { code: 'CASE_NOT_YOURS', message: 'Only the author answers a proposal about their reflection.', field: 'payload.proposalId' }
      if (row.status !== 'asked') return { code: 'CASE_ANSWERED', message: 'This proposal was already answered.', field: 'payload.proposalId' }
      return null
    })
  },
  async apply(ctx, records) {
    const found = await findProposals(ctx.trx, records.map((r) => r.payload.proposalId))
    for (const r of records) {
      const p = r.payload
      const row = found.get(p.proposalId)!
      // The status guard makes the first answer the only one, even for two answers in one batch.
      const claimed = await ctx.trx
        .updateTable('case_proposal')
        .set({ status: p.agree ? 'agreed' : 'refused', show_name: p.agree ? Number(p.showName) : null, answered_at: ctx.receivedAt })
        .where('id', '=', p.proposalId)
        .where('status', '=', 'asked')
        .executeTakeFirst()
      if (claimed.numUpdatedRows === 0n) continue
      const draftItemId = p.agree ? await draftCase(ctx.trx, row, p.showName, ctx.receivedAt) : null
      if (draftItemId) await ctx.trx.updateTable('case_proposal').set({ draft_item_id: draftItemId }).where('id', '=', p.proposalId).execute()
      await writeAudit(ctx.trx, ctx.auth, p.agree ? 'case.agree' : 'case.refuse', p.proposalId, { showName: p.agree ? p.showName : null, draftItemId, title: row.title }, ctx.receivedAt, row.unit_path)
    }
  },
})
