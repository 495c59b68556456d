/**
 * The ONE scoring function both the phone (instant result offline) and the server (the score
 * that counts) use. Rules (docs/quiz.md):
 * - single / truefalse: right when the one chosen answer is the right one;
 * - multiple: full marks only when EXACTLY the right set is chosen (no partial credit: a missing
 *   or an extra letter makes the question wrong);
 * - fill: right when the text, trimmed, with full-width letters/digits/spaces turned half-width
 *   and case ignored, equals any accepted answer normalised the same way;
 * - score = round(100 × right / questions), passed = score ≥ passMark. Unanswered is wrong.
 */
import type { Question } from './quiz.ts'

/** What scoring needs of a question. */
export type Scorable = Pick<Question, 'id' | 'type' | 'options' | 'answer'>

export const letter = (i: number): string => String.fromCharCode(65 + i)

/** Full-width → half-width (letters, digits, punctuation, the ideographic space), trimmed, lower case. */
export function normaliseFill(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
}

/** Why an answer has the wrong shape for its question, or null when the shape is fine. */
export function answerShapeError(q: Scorable, answer: string[]): string | null {
  if (answer.length === 0) return null
  const letters = q.options.map((_, i) => letter(i))
  switch (q.type) {
    case 'single':
      return answer.length === 1 && letters.includes(answer[0]!) ? null : `one of ${letters.join(', ')}`
    case 'truefalse':
      return answer.length === 1 && (answer[0] === 'true' || answer[0] === 'false') ? null : 'true or false'
    case 'multiple':
      return answer.every((a) => letters.includes(a)) && new Set(answer).size === answer.length ? null : `distinct letters of ${letters.join(', ')}`
    case 'fill':
      return answer.length === 1 ? null : 'one text'
  }
}

export function isRight(q: Scorable, answer: string[]): boolean {
  if (answer.length === 0) return false
  switch (q.type) {
    case 'single':
    case 'truefalse':
      return answer.length === 1 && answer[0] === q.answer[0]
    case 'multiple': {
      const want = new Set(q.answer)
      return answer.length === want.size && new Set(answer).size === answer.length && answer.every((a) => want.has(a))
    }
    case 'fill': {
      const given = normaliseFill(answer[0] ?? '')
      return given !== '' && q.answer.some((a) => normaliseFill(a) === given)
    }
  }
}

export interface QuizScore {
  correct: number
  total: number
  /** Percent, 0–100. */
  score: number
  passed: boolean
}

export function scoreQuiz(questions: Scorable[], answers: Map<string, string[]>, passMark: number): QuizScore {
  const total = questions.length
  const correct = questions.filter((q) => isRight(q, answers.get(q.id) ?? [])).length
  const score = total === 0 ? 0 : Math.round((100 * correct) / total)
  return { correct, total, score, passed: score >= passMark }
}
