/**
 * Question quality (issue 17 §4, docs/quiz.md "Question quality"), the pure part: from each
 * attempt's score and whether it got each question right, per question with enough attempts its
 * difficulty (share right) and discrimination (share right among the top 27 % of attempts by
 * score minus the share among the bottom 27 %), and whether to flag it to editors.
 */

export const MIN_ATTEMPTS = 30
export const GROUP_SHARE = 0.27
export const FLAG_DISCRIMINATION_BELOW = 0.2
export const FLAG_EASY_ABOVE = 0.95
export const FLAG_HARD_BELOW = 0.05

export interface ItemStat {
  questionId: string
  attempts: number
  difficulty: number
  discrimination: number
  flagged: boolean
}

/** Everything seen of one question: per attempt, that attempt's score and whether this question was right. */
export class ItemTally {
  readonly scores: number[] = []
  readonly right: boolean[] = []
  add(score: number, right: boolean): void {
    this.scores.push(score)
    this.right.push(right)
  }
}

export function flagged(difficulty: number, discrimination: number): boolean {
  return discrimination < FLAG_DISCRIMINATION_BELOW || difficulty > FLAG_EASY_ABOVE || difficulty < FLAG_HARD_BELOW
}

/** Null below MIN_ATTEMPTS: a share of a handful of attempts says nothing. */
export function itemStat(questionId: string, tally: ItemTally): ItemStat | null {
  const n = tally.scores.length
  if (n < MIN_ATTEMPTS) return null
  const rightCount = tally.right.reduce((sum, r) => sum + (r ? 1 : 0), 0)
  // Ties in score are broken by arrival order, so the groups are the same on every run.
  const order = tally.scores.map((_, i) => i).sort((a, b) => tally.scores[a]! - tally.scores[b]! || a - b)
  const size = Math.max(1, Math.round(GROUP_SHARE * n))
  const share = (idx: number[]) => idx.reduce((sum, i) => sum + (tally.right[i] ? 1 : 0), 0) / idx.length
  const difficulty = rightCount / n
  const discrimination = share(order.slice(n - size)) - share(order.slice(0, size))
  return { questionId, attempts: n, difficulty, discrimination, flagged: flagged(difficulty, discrimination) }
}
