/**
 * The wrong-answer book 错题本: a question answered wrong (in a quiz or in practice) goes in; it
 * leaves once answered right on TWO different days after the day it was last answered wrong.
 * Days are the phone's local calendar days. Pure, so the rule is unit-tested on its own.
 */
import type { WrongAnswerRow } from '@/db/db.ts'

export function localDay(at: number): string {
  const d = new Date(at)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** The row after one answer; undefined means "not (or no longer) in the book". */
export function afterAnswer(row: WrongAnswerRow | undefined, questionId: string, right: boolean, now: number): WrongAnswerRow | undefined {
  const today = localDay(now)
  if (!right) return { questionId, addedAt: row?.addedAt ?? now, wrongDay: today, rightDays: [] }
  if (!row) return undefined
  if (today <= row.wrongDay || row.rightDays.includes(today)) return row
  const rightDays = [...row.rightDays, today]
  return rightDays.length >= 2 ? undefined : { ...row, rightDays }
}
