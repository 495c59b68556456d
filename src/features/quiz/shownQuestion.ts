import type { Question } from '@/protocol/quiz.ts'
import type { ShownQuestion } from './quiz.store.ts'

/**
 * A question with its options in their own order (practice: no shuffling to remember). Its own
 * module so the home card's store does not pull the whole quiz store into the first screen.
 */
export function inOwnOrder(q: Question): ShownQuestion {
  return { question: q, options: q.options.map((text, i) => ({ letter: String.fromCharCode(65 + i), text })) }
}
