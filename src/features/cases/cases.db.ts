/**
 * Case proposals on the phone (好的进教材, docs/studio.md). The list is read online and kept, so
 * the author can answer with no signal; answering records the answer on the row and queues its
 * `case_consent` record in ONE transaction, so a reload finds it answered and queued.
 */
import { db, type CaseRequestRow } from '@/db/db.ts'
import type { CaseConsentPayload, CaseProposal, CaseStatus } from '@/protocol/cases.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'

export const casesDb = {
  /** The server's list replaces the kept one; an answer made here stays until the server has it. */
  async save(items: CaseProposal[]): Promise<void> {
    await db.transaction('rw', db.caseRequests, async () => {
      const answers = new Map((await db.caseRequests.toArray()).map((r) => [r.id, r.answer]))
      await db.caseRequests.clear()
      await db.caseRequests.bulkPut(items.map((p): CaseRequestRow => {
        const answer = answers.get(p.id)
        return p.status === 'asked' && answer ? { ...p, answer } : p
      }))
    })
  },
  list: async () => (await db.caseRequests.toArray()).sort((a, b) => b.createdAt - a.createdAt),
  /** Proposals whose answer is still in the outbox. */
  queued: async () => (await db.outbox.where('kind').equals('case_consent').toArray()).map((r) => (r.payload as CaseConsentPayload).proposalId),

  /** The author's answer: kept on the row and queued, once (a second tap changes nothing). */
  async answer(proposalId: string, agree: boolean, showName: boolean, now = Date.now()): Promise<void> {
    await db.transaction('rw', [db.caseRequests, db.outbox], async () => {
      const row = await db.caseRequests.get(proposalId)
      if (!row || row.status !== 'asked' || row.answer) return
      await db.caseRequests.put({ ...row, answer: { agree, showName, at: now } })
      await enqueue(db, 'case_consent', { proposalId, agree, showName: agree && showName })
    })
  },
}

/** After a proposal is made (or found to exist): every cached copy of the reflection shows where it stands. */
export async function markProposed(reflectionId: string, status: CaseStatus): Promise<void> {
  await db.reflections.where('id').equals(reflectionId).modify({ caseStatus: status })
}
