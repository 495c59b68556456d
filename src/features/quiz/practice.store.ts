import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { PracticeDayRow } from '@/db/db.ts'
import { isRight } from '@/protocol/quiz.scoring.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { practiceDb, type PracticeSummary } from './practice.db.ts'
import { quizDb } from './quiz.db.ts'
import type { ShownQuestion } from './quiz.store.ts'
import { inOwnOrder } from './shownQuestion.ts'

/** Daily practice 每日一练: today's set on screen, and the streak for the quiz page and home. */
export const usePracticeStore = defineStore('practice', () => {
  // Live from Dexie: an answer (in this tab or another) updates the cards at once.
  const summary = liveRef(() => practiceDb.summary(), { days: 0, doneToday: false, total: 0, answered: 0 } as PracticeSummary)
  const day = ref<PracticeDayRow>()
  const shown = ref<ShownQuestion[]>([])

  /** Opens today's set (drawn now, or the one drawn earlier today with its answers). Offline-safe. */
  async function open(): Promise<void> {
    const row = await practiceDb.today()
    // A question a later pull removed is skipped rather than shown blank.
    shown.value = (await quizDb.questions(row.questionIds)).map(inOwnOrder)
    day.value = row
  }

  /** Checks an answer and records it (card, wrong-answer book, streak) in one transaction; returns whether it was right. */
  async function answer(item: ShownQuestion, value: string[]): Promise<boolean> {
    const right = isRight(item.question, value)
    if (day.value) day.value = (await practiceDb.answer(day.value.day, item.question.id, value, right)) ?? day.value
    return right
  }

  return { summary, day, shown, open, answer }
})
