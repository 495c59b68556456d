/**
 * 好的进教材 on the author's phone: the proposals about their reflections (kept for offline) and
 * their answers, which go through the outbox like every other write.
 */
import { defineStore } from 'pinia'
import { computed } from 'vue'
import type { DeadLetterRecord, CaseRequestRow } from '@/db/db.ts'
import type { CaseConsentPayload } from '@/protocol/cases.ts'
import { useSyncStore } from '@/features/sync/sync.store.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { casesApi } from './cases.api.ts'
import { casesDb } from './cases.db.ts'

/** Where a proposal stands on this phone. */
export type CaseState = 'asked' | 'waiting' | 'refusedByServer' | 'agreed' | 'refused'

export const useCasesStore = defineStore('cases', () => {
  const rows = liveRef(casesDb.list, [] as CaseRequestRow[])
  const queued = liveRef(casesDb.queued, [] as string[])
  const sync = useSyncStore()

  /** Reads the member's proposals online and keeps them; offline (or on an error) the kept ones stay. */
  async function refresh(): Promise<void> {
    try {
      await casesDb.save((await casesApi.mine()).items)
    } catch {
      // Offline: the cards kept on the phone are what there is to answer.
    }
  }

  function refusalOf(id: string): DeadLetterRecord | undefined {
    return sync.refused.find((r) => r.kind === 'case_consent' && (r.payload as CaseConsentPayload).proposalId === id)
  }

  function stateOf(r: CaseRequestRow): CaseState {
    if (r.status !== 'asked') return r.status
    if (queued.value.includes(r.id)) return 'waiting'
    if (r.answer && refusalOf(r.id)) return 'refusedByServer'
    if (r.answer) return r.answer.agree ? 'agreed' : 'refused'
    return 'asked'
  }

  const cards = computed(() => rows.value.map((row) => ({ row, state: stateOf(row) })))
  return { cards, refresh, refusalOf, answer: casesDb.answer }
})
