/**
 * Quizzes 在线知识小测试: what phones pull and what they push. Scoring is in quiz.scoring.ts (no
 * TypeBox, so the PWA can import it at run time).
 */
import { Type, type Static } from 'typebox'

export const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('truefalse'), Type.Literal('fill')])
export type QuestionType = Static<typeof QuestionType>

export const Question = Type.Object({
  id: Type.String(),
  bankId: Type.String(),
  type: QuestionType,
  stem: Type.String(),
  /** Choice questions only; option i has letter "A"+i. */
  options: Type.Array(Type.String()),
  /** Letters (choice), ["true"] / ["false"], or every accepted text (fill). */
  answer: Type.Array(Type.String()),
  explanation: Type.String(),
  source: Type.Object({ kind: Type.Union([Type.Literal('lesson'), Type.Literal('entry')]), id: Type.String() }),
  tags: Type.Array(Type.String()),
})
export type Question = Static<typeof Question>

export const QuizSelection = Type.Union([
  Type.Object({ fixed: Type.Array(Type.String()) }),
  Type.Object({ draw: Type.Object({ bank: Type.String(), count: Type.Integer({ minimum: 1 }), tags: Type.Array(Type.String()) }) }),
])
export type QuizSelection = Static<typeof QuizSelection>

export const Quiz = Type.Object({
  id: Type.String(),
  /** The version an attempt names, so the server scores against what the phone showed. */
  version: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  questions: QuizSelection,
  timeLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  passMark: Type.Integer({ minimum: 0, maximum: 100 }),
  shuffleOptions: Type.Boolean(),
})
export type Quiz = Static<typeof Quiz>

export const QuizAnswer = Type.Object(
  {
    questionId: Type.String({ minLength: 1, maxLength: 64 }),
    /** [] = not answered; one letter / "true" / "false" / one text; several letters for multiple. */
    answer: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 26 }),
  },
  { additionalProperties: false },
)
export type QuizAnswer = Static<typeof QuizAnswer>

export const QuizAttemptPayload = Type.Object(
  {
    attemptId: Type.String({ minLength: 1, maxLength: 64 }),
    quizId: Type.String({ minLength: 1, maxLength: 64 }),
    quizVersion: Type.Integer({ minimum: 1 }),
    answers: Type.Array(QuizAnswer, { minItems: 1, maxItems: 200 }),
    startedAt: Type.Integer({ minimum: 0 }),
    /** The phone's score, for information only: the server re-scores. */
    clientScore: Type.Integer({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
)
export type QuizAttemptPayload = Static<typeof QuizAttemptPayload>

