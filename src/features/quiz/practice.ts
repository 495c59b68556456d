/**
 * Daily practice 每日一练: the rules, pure so they are unit-tested on their own.
 *
 * Scheduling is a Leitner system: a question answered right moves up one box, wrong goes back to
 * box 1; the box says how many days until it is asked again (docs/quiz.md says why not FSRS).
 * Days are the phone's local calendar days as YYYY-MM-DD strings, compared as strings.
 */
import type { PracticeCardRow } from '@/db/db.ts'
import { localDay } from './wrongBook.ts'

export const DAILY_COUNT = 5
/** Days until the next review, for boxes 1–5. */
export const BOX_INTERVAL_DAYS = [1, 2, 4, 8, 16] as const
/** While new questions remain, at most this many of the day's set are reviews: every day brings something new. */
export const MAX_REVIEWS = 3

/** `day` plus `n` calendar days (UTC arithmetic on the date alone: no time zone or DST can shift it). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/**
 * The practice day for `now`: the local calendar day, but never earlier than the latest day
 * already practised. A phone whose clock was set back (a flat battery resets it to 2000) thus
 * stays on the day it last practised: that day is not done twice and the streak is not lost.
 */
export function practiceDay(now: number, latestDay: string | undefined): string {
  const today = localDay(now)
  return latestDay !== undefined && latestDay > today ? latestDay : today
}

/** The card after one answer on `day`. */
export function nextCard(card: PracticeCardRow | undefined, questionId: string, right: boolean, day: string): PracticeCardRow {
  // A new question counts as box 1: known at first sight, it is next asked in two days, not tomorrow.
  const box = right ? Math.min((card?.box ?? 1) + 1, BOX_INTERVAL_DAYS.length) : 1
  return { questionId, box, dueDay: addDays(day, BOX_INTERVAL_DAYS[box - 1]!), lastDay: day }
}

export interface Streak {
  /** Consecutive days with a finished practice, ending today (or yesterday, while today is still open). */
  days: number
  doneToday: boolean
}

export function streak(doneDays: Iterable<string>, today: string): Streak {
  const done = new Set(doneDays)
  const doneToday = done.has(today)
  let day = doneToday ? today : addDays(today, -1)
  let days = 0
  while (done.has(day)) {
    days++
    day = addDays(day, -1)
  }
  return { days, doneToday }
}

export interface PracticePool {
  /** Every question on the phone. */
  questionIds: string[]
  cards: PracticeCardRow[]
  /** Questions in the wrong-answer book: due for review even before practice has seen them. */
  wrongBook: string[]
}

/** A stable pseudo-random rank (FNV-1a), so the new questions of a day are the same after a reload. */
function rank(seed: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * The day's set: due reviews first (most overdue, then lowest box), at most MAX_REVIEWS of them
 * while new questions remain, filled up with new questions in a per-day order; when the phone
 * holds too few, more reviews, then the cards due soonest.
 */
export function pickDailySet(pool: PracticePool, day: string, count = DAILY_COUNT): string[] {
  const onPhone = new Set(pool.questionIds)
  const cards = pool.cards.filter((c) => onPhone.has(c.questionId))
  const carded = new Set(cards.map((c) => c.questionId))
  const bySchedule = (a: PracticeCardRow, b: PracticeCardRow) => a.dueDay.localeCompare(b.dueDay) || a.box - b.box || a.questionId.localeCompare(b.questionId)
  const wrongOnly = pool.wrongBook.filter((id) => onPhone.has(id) && !carded.has(id)).sort()
  const due = [...wrongOnly, ...cards.filter((c) => c.dueDay <= day).sort(bySchedule).map((c) => c.questionId)]
  const wrong = new Set(wrongOnly)
  const fresh = pool.questionIds
    .filter((id) => !carded.has(id) && !wrong.has(id))
    .map((id) => ({ id, r: rank(`${day}:${id}`) }))
    .sort((a, b) => a.r - b.r || a.id.localeCompare(b.id))
    .map((x) => x.id)
  const later = cards.filter((c) => c.dueDay > day).sort(bySchedule).map((c) => c.questionId)

  const picked = new Set(due.slice(0, MAX_REVIEWS))
  for (const id of [...fresh, ...due, ...later]) {
    if (picked.size >= count) break
    picked.add(id)
  }
  return [...picked]
}
