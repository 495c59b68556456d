/**
 * Question quality 题目质量 (issue 17 §4, docs/quiz.md "Question quality"): flagged questions with
 * their numbers, for editors and supervisors. Computed off the request path into `item_stat`.
 */
import { Type, type Static } from 'typebox'

export const ItemFlagReason = Type.Union([Type.Literal('negative'), Type.Literal('lowDiscrimination'), Type.Literal('tooEasy'), Type.Literal('tooHard')])

export const ItemStatRow = Type.Object({
  questionId: Type.String(),
  bankId: Type.String(),
  stem: Type.String(),
  attempts: Type.Integer(),
  /** Share of attempts that got it right, 0–1. */
  difficulty: Type.Number(),
  /** Share right in the top 27 % of attempts by score minus the share in the bottom 27 %, −1–1. */
  discrimination: Type.Number(),
  reasons: Type.Array(ItemFlagReason),
})
export type ItemStatRow = Static<typeof ItemStatRow>

export const ItemStatsPage = Type.Object({
  items: Type.Array(ItemStatRow),
  /** When the figures were last computed; null before the first run. */
  computedAt: Type.Union([Type.Integer(), Type.Null()]),
  next: Type.Union([Type.String(), Type.Null()]),
})
export type ItemStatsPage = Static<typeof ItemStatsPage>
