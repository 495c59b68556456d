/**
 * The member's ratings on the phone (docs/quiz.md "Evaluations"): a rating is kept here and its
 * `evaluation` record queued in ONE transaction, so it shows as rated at once, offline, and
 * survives a reload. Rating again replaces the local row and queues a new record; the server
 * keeps the later one.
 */
import { db, type EvaluationRow } from '@/db/db.ts'
import { EVALUATION_COMMENT_MAX, type EvaluationPayload } from '@/protocol/evaluation.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'

export type RatingInput = Pick<EvaluationPayload, 'target' | 'targetId' | 'content' | 'usefulness' | 'lecturer' | 'comment'>

const inRange = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 5)

/** The reason a rating cannot be sent, as an i18n key, or null. */
export function ratingProblem(r: RatingInput): string | null {
  if (!inRange(r.content) || !inRange(r.usefulness) || !inRange(r.lecturer)) return 'evaluation.needStars'
  if (r.comment.trim().length > EVALUATION_COMMENT_MAX) return 'evaluation.commentTooLong'
  return null
}

export const evaluationDb = {
  mine: (target: EvaluationRow['target'], targetId: string) => db.evaluations.get(`${target}:${targetId}`),
  /** Every rating kept on this phone: a few dozen at most (one per course or meeting). */
  all: () => db.evaluations.toArray(),
  /** Ids of ratings still waiting in the outbox (not yet accepted by the server). */
  queued: async () => (await db.outbox.where('kind').equals('evaluation').toArray()).map((r) => (r.payload as EvaluationPayload).evaluationId),

  async rate(input: RatingInput, now = Date.now()): Promise<EvaluationRow> {
    const problem = ratingProblem(input)
    if (problem) throw new Error(problem)
    const row: EvaluationRow = { key: `${input.target}:${input.targetId}`, evaluationId: uuidv7(), ...input, comment: input.comment.trim(), ratedAt: now }
    await db.transaction('rw', [db.evaluations, db.outbox], async () => {
      await db.evaluations.put(row)
      const payload: EvaluationPayload = { evaluationId: row.evaluationId, target: row.target, targetId: row.targetId, content: row.content, usefulness: row.usefulness, comment: row.comment }
      if (row.lecturer !== undefined) payload.lecturer = row.lecturer
      await enqueue(db, 'evaluation', payload)
    })
    return row
  },
}
