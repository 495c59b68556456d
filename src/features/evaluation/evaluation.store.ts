import { defineStore } from 'pinia'
import type { DeadLetterRecord, EvaluationRow } from '@/db/db.ts'
import type { EvaluationPayload } from '@/protocol/evaluation.ts'
import { useSyncStore } from '@/features/sync/sync.store.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { evaluationDb, type RatingInput } from './evaluation.db.ts'

/** The member's own ratings as this phone keeps them, and whether each still waits to be sent. */
export const useEvaluationStore = defineStore('evaluation', () => {
  const ratings = liveRef(evaluationDb.all, [] as EvaluationRow[])
  const queued = liveRef(evaluationDb.queued, [] as string[])
  const sync = useSyncStore()

  const mine = (target: EvaluationRow['target'], targetId: string) => ratings.value.find((r) => r.key === `${target}:${targetId}`)
  const waiting = (row: EvaluationRow) => queued.value.includes(row.evaluationId)
  /** The server's refusal of this exact rating (a later rating replaces it, so older refusals do not show). */
  const refusalOf = (row: EvaluationRow): DeadLetterRecord | undefined =>
    sync.refused.find((r) => r.kind === 'evaluation' && (r.payload as EvaluationPayload).evaluationId === row.evaluationId)

  /**
   * Keeps the rating and queues it in one transaction: works offline, and rating again replaces
   * the earlier one here at once and on the server when the record arrives.
   */
  const rate = (input: RatingInput) => evaluationDb.rate(input)

  return { ratings, mine, waiting, refusalOf, rate }
})
