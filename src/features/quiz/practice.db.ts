/**
 * Daily practice 每日一练 on the phone: today's set, answers, Leitner cards and the streak, all in
 * Dexie, all offline. Practice stays on the phone (not sent: docs/quiz.md says why).
 */
import { db, type PracticeDayRow } from '@/db/db.ts'
import { serverTime } from '@/features/sync/clock.ts'
import { recordAnswer } from './quiz.db.ts'
import { nextCard, pickDailySet, practiceDay, streak, type Streak } from './practice.ts'

export interface PracticeSummary extends Streak {
  /** Questions in today's set (0 until it is drawn) and how many are answered. */
  total: number
  answered: number
}

/** The latest day practice was opened, so a clock set back cannot open an earlier day. */
async function latestDay(): Promise<string | undefined> {
  return (await db.practiceDays.orderBy('day').last())?.day
}

export const practiceDb = {
  /**
   * Today's set: the one drawn earlier today (with its answers), or one drawn now from the
   * questions on the phone. `now` is the device clock corrected by the offset learned from the
   * server, so a wrong phone clock is put right whenever the phone has synced.
   * With no questions on the phone yet, returns an empty set and stores nothing.
   */
  async today(now = serverTime()): Promise<PracticeDayRow> {
    return db.transaction('rw', [db.practiceDays, db.practiceCards, db.questions, db.wrongAnswers], async () => {
      const day = practiceDay(now, await latestDay())
      const existing = await db.practiceDays.get(day)
      if (existing) return existing
      const questionIds = pickDailySet(
        {
          questionIds: (await db.questions.toCollection().primaryKeys()) as string[],
          cards: await db.practiceCards.toArray(),
          wrongBook: (await db.wrongAnswers.toCollection().primaryKeys()) as string[],
        },
        day,
      )
      const row: PracticeDayRow = { day, questionIds, answers: {}, doneAt: null }
      if (questionIds.length > 0) await db.practiceDays.put(row)
      return row
    })
  },

  /**
   * Records one answer of the day's set in ONE transaction: the answer, the question's Leitner
   * card, and the wrong-answer book (same rule as quizzes). A second answer to the same question
   * changes nothing, so a double tap or a reload cannot count twice.
   */
  async answer(day: string, questionId: string, answer: string[], right: boolean, now = serverTime()): Promise<PracticeDayRow | undefined> {
    return db.transaction('rw', [db.practiceDays, db.practiceCards, db.wrongAnswers, db.questions], async () => {
      const row = await db.practiceDays.get(day)
      if (!row || !row.questionIds.includes(questionId) || row.answers[questionId]) return row
      await db.practiceCards.put(nextCard(await db.practiceCards.get(questionId), questionId, right, day))
      await recordAnswer(questionId, right, now)
      const answers = { ...row.answers, [questionId]: [...answer] }
      // A question a pull removed since the set was drawn cannot be answered: it does not hold the day open.
      const still = await db.questions.bulkGet(row.questionIds)
      const done = row.questionIds.every((id, i) => answers[id] || !still[i])
      const next: PracticeDayRow = { ...row, answers, doneAt: done ? now : null }
      await db.practiceDays.put(next)
      return next
    })
  },

  /** The streak and today's state, for the quiz page and the home card. */
  async summary(now = serverTime()): Promise<PracticeSummary> {
    return db.transaction('r', db.practiceDays, async () => {
      const day = practiceDay(now, await latestDay())
      const days = await db.practiceDays.toArray()
      const today = days.find((d) => d.day === day)
      return {
        ...streak(days.filter((d) => d.doneAt !== null).map((d) => d.day), day),
        total: today?.questionIds.length ?? 0,
        answered: today ? Object.keys(today.answers).length : 0,
      }
    })
  },
}
