import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { QuizAttemptRow, WrongAnswerRow } from '@/db/db.ts'
import type { Question, Quiz } from '@/protocol/quiz.ts'
import { pullContent } from '@/features/sync/pull.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { quizDb } from './quiz.db.ts'
import { inOwnOrder } from './shownQuestion.ts'

export interface QuizCard {
  quiz: Quiz
  questionCount: number
  active: QuizAttemptRow | undefined
  last: QuizAttemptRow | undefined
  best: number | undefined
}

/** A question as shown: options in display order, each with its ORIGINAL letter. */
export interface ShownQuestion {
  question: Question
  options: { letter: string; text: string }[]
}

export const useQuizStore = defineStore('quiz', () => {
  // Live from Dexie: a pull or another tab updates the list.
  const quizzes = liveRef(quizDb.quizzes, [] as Quiz[])
  const attempts = liveRef(quizDb.attempts, [] as QuizAttemptRow[])
  const syncing = ref(false)
  const wrongAnswers = liveRef(quizDb.wrongAnswers, [] as WrongAnswerRow[])

  /** The wrong-answer book as questions to practise, oldest first (options in their own order). */
  async function wrongQuestions(): Promise<ShownQuestion[]> {
    // Read from Dexie, not the live list: right after a reload that has not arrived yet.
    const qs = await quizDb.questions((await quizDb.wrongAnswers()).map((w) => w.questionId))
    return qs.map(inOwnOrder)
  }

  /** Records a practice answer in the book (offline, on the phone only). */
  async function practise(questionId: string, right: boolean): Promise<void> {
    await quizDb.practise(questionId, right)
  }

  /** Quizzes with an attempt in progress first, then never-taken ones, then the rest; by title. */
  const cards = computed<QuizCard[]>(() => {
    const list = quizzes.value.map((quiz) => {
      const mine = attempts.value.filter((a) => a.quizId === quiz.id)
      const done = mine.filter((a) => a.state === 'done').sort((a, b) => (b.submittedAt ?? 0) - (a.submittedAt ?? 0))
      return {
        quiz,
        questionCount: 'fixed' in quiz.questions ? quiz.questions.fixed.length : quiz.questions.draw.count,
        active: mine.find((a) => a.state === 'active' && a.quizVersion === quiz.version),
        last: done[0],
        best: done.length ? Math.max(...done.map((a) => a.score?.score ?? 0)) : undefined,
      }
    })
    const rank = (c: QuizCard) => (c.active ? 0 : c.last ? 2 : 1)
    return list.sort((a, b) => rank(a) - rank(b) || a.quiz.title.localeCompare(b.quiz.title, 'zh-CN'))
  })

  // ---- the attempt on screen ----
  const quiz = ref<Quiz>()
  const attempt = ref<QuizAttemptRow>()
  const shown = ref<ShownQuestion[]>([])

  function show(questions: Question[], row: QuizAttemptRow): ShownQuestion[] {
    const byId = new Map(questions.map((q) => [q.id, q]))
    return row.questionIds.flatMap((id) => {
      const q = byId.get(id)
      if (!q) return []
      const order = row.optionOrder[id] ?? q.options.map((_, i) => i)
      return [{ question: q, options: order.map((i) => ({ letter: String.fromCharCode(65 + i), text: q.options[i]! })) }]
    })
  }

  /** Opens a quiz: resumes the attempt in progress (after a reload too) or starts one. Offline-safe. */
  async function open(quizId: string): Promise<boolean> {
    const q = await quizDb.quiz(quizId)
    quiz.value = q
    if (!q) return false
    const row = await quizDb.startOrResume(q)
    shown.value = show(await quizDb.questions(row.questionIds), row)
    attempt.value = row
    return true
  }

  /** Records an answer on the phone at once (a reload keeps it). */
  async function answer(questionId: string, value: string[]): Promise<void> {
    const a = attempt.value
    if (!a) return
    attempt.value = { ...a, answers: { ...a.answers, [questionId]: [...value] } }
    await quizDb.saveProgress(a.id, questionId, value, a.current)
  }

  async function go(index: number): Promise<void> {
    const a = attempt.value
    if (!a) return
    const current = Math.max(0, Math.min(index, a.questionIds.length - 1))
    attempt.value = { ...a, current }
    const qid = a.questionIds[current]!
    await quizDb.saveProgress(a.id, qid, a.answers[qid] ?? [], current)
  }

  /** Scores on the phone and queues the attempt for the server in one transaction; returns its id. */
  async function submit(): Promise<string | undefined> {
    const a = attempt.value
    if (!a) return undefined
    attempt.value = await quizDb.submit(a.id)
    return a.id
  }

  /** A submitted attempt with its quiz and questions, for the result page. */
  async function loadResult(attemptId: string): Promise<{ attempt: QuizAttemptRow; quiz: Quiz | undefined; questions: ShownQuestion[] } | undefined> {
    const row = await quizDb.attempt(attemptId)
    if (!row) return undefined
    return { attempt: row, quiz: await quizDb.quiz(row.quizId), questions: show(await quizDb.questions(row.questionIds), row) }
  }

  async function sync(): Promise<void> {
    syncing.value = true
    try {
      await pullContent()
    } finally {
      syncing.value = false
    }
  }

  return { quizzes, attempts, cards, syncing, wrongAnswers, wrongQuestions, practise, quiz, attempt, shown, open, answer, go, submit, loadResult, sync }
})
