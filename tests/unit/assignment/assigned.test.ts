/**
 * The member's assignments on the phone, from Dexie alone: retraining after a failed latest
 * attempt (with the lessons to study again), cleared by a pass; reminders for what is due soon
 * or overdue and not yet done.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { db, type QuizAttemptRow } from '@/db/db.ts'
import { assignedDb } from '@/features/assignment/assigned.db.ts'
import { urgency } from '@/features/assignment/assigned.ts'
import type { Question, Quiz } from '@/protocol/quiz.ts'

const DAY = 86_400_000
const question = (id: string, source: string): Question => ({
  id,
  bankId: 'b',
  type: 'truefalse',
  stem: id,
  options: [],
  answer: ['true'],
  explanation: '',
  source: { kind: 'lesson', id: source },
  tags: [],
})
const quiz: Quiz = { id: 'qz', version: 1, title: '党章测验', description: '', questions: { fixed: ['q1', 'q2', 'q3'] }, timeLimitMinutes: null, passMark: 60, shuffleOptions: false }

function attempt(id: string, submittedAt: number, answers: Record<string, string[]>, passed: boolean): QuizAttemptRow {
  const correct = Object.values(answers).filter((a) => a[0] === 'true').length
  return {
    id,
    quizId: 'qz',
    quizVersion: 1,
    state: 'done',
    questionIds: ['q1', 'q2', 'q3'],
    optionOrder: {},
    answers,
    current: 2,
    startedAt: submittedAt - 60_000,
    submittedAt,
    score: { correct, total: 3, score: Math.round((100 * correct) / 3), passed },
  }
}

describe('assigned quizzes on the phone', () => {
  beforeEach(async () => {
    await Promise.all([db.assignments.clear(), db.quizzes.clear(), db.questions.clear(), db.quizAttempts.clear(), db.lessons.clear(), db.courses.clear(), db.progress.clear()])
    await db.quizzes.put(quiz)
    await db.questions.bulkPut([question('q1', 'l1'), question('q2', 'l2'), question('q3', 'l2')])
    await db.lessons.bulkPut(['l1', 'l2'].map((id, i) => ({ id, courseId: 'c', title: `第${i + 1}课`, order: i, minutes: 5, audio: null, body: '' })))
    await db.assignments.put({ id: 'a1', courseId: null, quizId: 'qz', dueAt: Date.now() + DAY })
  })

  it('is to do until taken, flags retraining after a failed attempt with the lessons behind the wrong answers', async () => {
    expect(await assignedDb.quizzes()).toMatchObject([{ quizId: 'qz', title: '党章测验', state: 'todo', studyAgain: [] }])
    await db.quizAttempts.put(attempt('t1', 1000, { q1: ['true'], q2: ['false'], q3: [] }, false))
    const [item] = await assignedDb.quizzes()
    expect(item).toMatchObject({ state: 'retraining', lastScore: 33 })
    // Two wrong answers from the same lesson name it once.
    expect(item!.studyAgain).toEqual([{ kind: 'lesson', id: 'l2', title: '第2课' }])
  })

  it('clears retraining when the latest attempt passes, and flags it again if a later one fails', async () => {
    await db.quizAttempts.bulkPut([
      attempt('t1', 1000, { q1: ['false'], q2: ['false'], q3: ['false'] }, false),
      attempt('t2', 2000, { q1: ['true'], q2: ['true'], q3: ['false'] }, true),
    ])
    expect((await assignedDb.quizzes())[0]).toMatchObject({ state: 'passed', lastScore: 67, studyAgain: [] })
    await db.quizAttempts.put(attempt('t3', 3000, { q1: ['false'], q2: ['true'], q3: ['true'] }, false))
    expect((await assignedDb.quizzes())[0]).toMatchObject({ state: 'retraining', studyAgain: [{ id: 'l1' }] })
  })

  it('reminds of an unpassed quiz and an unfinished course, not of a passed quiz', async () => {
    await db.courses.put({ id: 'c', title: '课程', kind: 'theme', category: 'x', description: '', cover: null, order: 1, body: '', media: [] })
    await db.assignments.put({ id: 'a2', courseId: 'c', quizId: null, dueAt: Date.now() - DAY })
    expect((await assignedDb.todos()).map((t) => [t.kind, t.contentId])).toEqual([['course', 'c'], ['quiz', 'qz']])
    await db.quizAttempts.put(attempt('t1', 1000, { q1: ['true'], q2: ['true'], q3: ['true'] }, true))
    await db.progress.bulkPut(['l1', 'l2'].map((lessonId) => ({ lessonId, courseId: 'c', seconds: 60, completedAt: 1, lastOpenedAt: 1 })))
    expect(await assignedDb.todos()).toEqual([])
  })

  it('calls a due date overdue once past, soon within three days', () => {
    const now = 1_000_000_000_000
    expect(urgency(now - 1, now)).toBe('overdue')
    expect(urgency(now + 2 * DAY, now)).toBe('soon')
    expect(urgency(now + 4 * DAY, now)).toBe('later')
    expect(urgency(null, now)).toBe('later')
  })
})
