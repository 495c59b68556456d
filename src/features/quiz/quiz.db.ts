/**
 * Quizzes on the phone. Everything here works offline: quizzes and questions (answers included)
 * were pulled, an attempt in progress is saved after every answer, and submitting writes the
 * attempt and its outbox record in one transaction.
 */
import { db, type QuizAttemptRow } from '@/db/db.ts'
import type { Question, Quiz } from '@/protocol/quiz.ts'
import { isRight, scoreQuiz } from '@/protocol/quiz.scoring.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'
import { afterAnswer } from './wrongBook.ts'

function shuffled<T>(list: T[]): T[] {
  const a = [...list]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

/** Updates the wrong-answer book for one answer (call inside a transaction holding db.wrongAnswers). */
export async function recordAnswer(questionId: string, right: boolean, now: number): Promise<void> {
  const before = await db.wrongAnswers.get(questionId)
  const after = afterAnswer(before, questionId, right, now)
  if (after) await db.wrongAnswers.put(after)
  else if (before) await db.wrongAnswers.delete(questionId)
}

export const quizDb = {
  wrongAnswers: () => db.wrongAnswers.orderBy('addedAt').toArray(),

  /** A practice answer from the wrong-answer book: local only (practice is not sent to the server). */
  async practise(questionId: string, right: boolean, now = Date.now()): Promise<void> {
    await db.transaction('rw', db.wrongAnswers, () => recordAnswer(questionId, right, now))
  },

  quizzes: () => db.quizzes.toArray(),
  attempts: () => db.quizAttempts.toArray(),
  attempt: (id: string) => db.quizAttempts.get(id),
  quiz: (id: string) => db.quizzes.get(id),
  questions: async (ids: string[]) => (await db.questions.bulkGet(ids)).filter((q): q is Question => q !== undefined),

  /** The attempt in progress for a quiz, or a new one (questions drawn now, order fixed from here). */
  async startOrResume(quiz: Quiz, now = Date.now()): Promise<QuizAttemptRow> {
    return db.transaction('rw', [db.quizAttempts, db.questions], async () => {
      const active = await db.quizAttempts.where('state').equals('active').filter((a) => a.quizId === quiz.id).first()
      if (active && active.quizVersion === quiz.version) return active
      // An attempt begun on an older version is dropped: its questions may no longer exist.
      if (active) await db.quizAttempts.delete(active.id)
      let ids: string[]
      if ('fixed' in quiz.questions) ids = quiz.questions.fixed
      else {
        const { bank, count, tags } = quiz.questions.draw
        const pool = await db.questions.where('bankId').equals(bank).filter((q) => tags.length === 0 || q.tags.some((t) => tags.includes(t))).primaryKeys()
        ids = shuffled(pool as string[]).slice(0, count)
      }
      const questions = await quizDb.questions(ids)
      const optionOrder: Record<string, number[]> = {}
      for (const q of questions) {
        const order = q.options.map((_, i) => i)
        optionOrder[q.id] = quiz.shuffleOptions ? shuffled(order) : order
      }
      const row: QuizAttemptRow = {
        id: uuidv7(),
        quizId: quiz.id,
        quizVersion: quiz.version,
        state: 'active',
        questionIds: questions.map((q) => q.id),
        optionOrder,
        answers: {},
        current: 0,
        startedAt: now,
        submittedAt: null,
        score: null,
      }
      await db.quizAttempts.put(row)
      return row
    })
  },

  /** Saves one answer and where the member is, so a reload comes back to the same screen. */
  async saveProgress(id: string, questionId: string, answer: string[], current: number): Promise<void> {
    await db.transaction('rw', db.quizAttempts, async () => {
      const row = await db.quizAttempts.get(id)
      if (!row || row.state !== 'active') return
      await db.quizAttempts.put({ ...row, answers: { ...row.answers, [questionId]: [...answer] }, current })
    })
  },

  /**
   * Scores on the phone and, in ONE transaction, marks the attempt done and queues it for the
   * server (which scores it again). Offline this is all that happens; the push engine sends it later.
   */
  async submit(id: string, now = Date.now()): Promise<QuizAttemptRow> {
    return db.transaction('rw', [db.quizAttempts, db.quizzes, db.questions, db.outbox, db.wrongAnswers], async () => {
      const row = await db.quizAttempts.get(id)
      if (!row) throw new Error('attempt not found')
      if (row.state === 'done') return row
      const quiz = await db.quizzes.get(row.quizId)
      const questions = await quizDb.questions(row.questionIds)
      const answers = new Map(Object.entries(row.answers))
      const score = scoreQuiz(questions, answers, quiz?.passMark ?? 0)
      const done: QuizAttemptRow = { ...row, state: 'done', submittedAt: now, score }
      await db.quizAttempts.put(done)
      for (const q of questions) await recordAnswer(q.id, isRight(q, row.answers[q.id] ?? []), now)
      await enqueue(db, 'quiz_attempt', {
        attemptId: row.id,
        quizId: row.quizId,
        quizVersion: row.quizVersion,
        answers: row.questionIds.map((q) => ({ questionId: q, answer: row.answers[q] ?? [] })),
        startedAt: row.startedAt,
        clientScore: score.score,
      })
      return done
    })
  },
}
