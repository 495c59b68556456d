/**
 * Course and lecturer evaluation 教学评估 (issue 17 §3, docs/quiz.md "Evaluations"): a member rates a
 * course they completed or a meeting they attended (and its lecturer, when it had one from the
 * pool). The party school and supervisors read counts, means, distributions and comments without
 * names. Shared by the server (TypeBox) and the PWA (types).
 */
import { Type, type Static } from 'typebox'

export const EVALUATION_COMMENT_MAX = 500
const Rating = () => Type.Integer({ minimum: 1, maximum: 5 })
export const EvaluationTarget = Type.Union([Type.Literal('course'), Type.Literal('meeting')])
export type EvaluationTarget = Static<typeof EvaluationTarget>

export const EvaluationPayload = Type.Object(
  {
    /** Made on the phone; the latest rating of a target replaces the earlier one. */
    evaluationId: Type.String({ minLength: 1, maxLength: 64 }),
    target: EvaluationTarget,
    targetId: Type.String({ minLength: 1, maxLength: 64 }),
    content: Rating(),
    usefulness: Rating(),
    /** Meetings with a pool lecturer only. */
    lecturer: Type.Optional(Rating()),
    comment: Type.String({ maxLength: EVALUATION_COMMENT_MAX }),
  },
  { additionalProperties: false },
)
export type EvaluationPayload = Static<typeof EvaluationPayload>

/** Count, mean and how many gave 1…5 (index 0 = one star). */
export const RatingFigure = Type.Object({
  count: Type.Integer(),
  mean: Type.Union([Type.Number(), Type.Null()]),
  distribution: Type.Array(Type.Integer(), { minItems: 5, maxItems: 5 }),
})
export type RatingFigure = Static<typeof RatingFigure>

export const EvaluationSummary = Type.Object({
  /** `course:<id>` or `lecturer:<id>` */
  kind: Type.Union([Type.Literal('course'), Type.Literal('lecturer')]),
  id: Type.String(),
  title: Type.String(),
  content: RatingFigure,
  usefulness: RatingFigure,
  /** Lecturers only: the lecturer's own rating. */
  lecturer: Type.Union([RatingFigure, Type.Null()]),
})
export type EvaluationSummary = Static<typeof EvaluationSummary>

export const EvaluationSummaries = Type.Object({ items: Type.Array(EvaluationSummary), next: Type.Union([Type.String(), Type.Null()]) })
export type EvaluationSummaries = Static<typeof EvaluationSummaries>

/** A comment as the party school reads it: no name, no person id, the day only. */
export const EvaluationComment = Type.Object({ comment: Type.String(), content: Type.Integer(), usefulness: Type.Integer(), lecturer: Type.Union([Type.Integer(), Type.Null()]), day: Type.String() })
export type EvaluationComment = Static<typeof EvaluationComment>
export const EvaluationComments = Type.Object({ items: Type.Array(EvaluationComment), next: Type.Union([Type.String(), Type.Null()]) })
export type EvaluationComments = Static<typeof EvaluationComments>
