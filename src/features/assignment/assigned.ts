/**
 * What a member's own assignments look like on the phone, computed from Dexie alone so it works
 * offline: due-date urgency and the retraining 复训 rule (docs/assignments.md).
 */
import type { QuizAttemptRow } from '@/db/db.ts'

/** A due date this close (or past) shows a reminder on the home page. */
export const REMIND_WITHIN_MS = 3 * 86_400_000

export type Urgency = 'overdue' | 'soon' | 'later'

export function urgency(dueAt: number | null, now: number): Urgency {
  if (dueAt === null) return 'later'
  if (dueAt < now) return 'overdue'
  return dueAt - now <= REMIND_WITHIN_MS ? 'soon' : 'later'
}

/** The attempt that decides the quiz's state: the latest submitted one. */
export function latestAttempt(attempts: QuizAttemptRow[], quizId: string): QuizAttemptRow | undefined {
  let latest: QuizAttemptRow | undefined
  for (const a of attempts) {
    if (a.quizId !== quizId || a.state !== 'done') continue
    if (!latest || (a.submittedAt ?? 0) > (latest.submittedAt ?? 0)) latest = a
  }
  return latest
}

export type QuizState = 'todo' | 'passed' | 'retraining'

/** Retraining while the latest attempt failed; a later pass clears it. */
export function quizState(latest: QuizAttemptRow | undefined): QuizState {
  if (!latest?.score) return 'todo'
  return latest.score.passed ? 'passed' : 'retraining'
}
