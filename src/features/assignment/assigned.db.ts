/**
 * Reads for the member's assignments: everything comes from Dexie (pulled assignments, quizzes,
 * courses, the member's own attempts and progress), so the lists, the retraining flag and the
 * reminders all work offline.
 */
import { db } from '@/db/db.ts'
import { isRight } from '@/protocol/quiz.scoring.ts'
import { latestAttempt, quizState, type QuizState } from './assigned.ts'

export interface StudyAgain {
  kind: 'lesson' | 'entry'
  id: string
  title: string
}

export interface AssignedQuiz {
  assignmentId: string
  quizId: string
  title: string
  dueAt: number | null
  state: QuizState
  lastScore: number | null
  /** Retraining: the lessons and entries behind the questions answered wrong. */
  studyAgain: StudyAgain[]
}

export interface AssignedTodo {
  assignmentId: string
  kind: 'course' | 'quiz'
  contentId: string
  title: string
  dueAt: number
}

/** The sources of the questions the attempt got wrong, once each, with their titles. */
async function wrongSources(questionIds: string[], answers: Record<string, string[]>): Promise<StudyAgain[]> {
  const questions = (await db.questions.bulkGet(questionIds)).filter((q) => q !== undefined)
  const seen = new Map<string, StudyAgain>()
  for (const q of questions) {
    if (isRight(q, answers[q.id] ?? [])) continue
    const key = `${q.source.kind}:${q.source.id}`
    if (seen.has(key)) continue
    const row = q.source.kind === 'lesson' ? await db.lessons.get(q.source.id) : await db.pocketEntries.get(q.source.id)
    if (row) seen.set(key, { kind: q.source.kind, id: q.source.id, title: row.title })
  }
  return [...seen.values()]
}

export const assignedDb = {
  /** Assigned quizzes, soonest due first, each with its state from the member's own attempts. */
  async quizzes(): Promise<AssignedQuiz[]> {
    const assignments = (await db.assignments.toArray()).filter((a) => a.quizId)
    const attempts = await db.quizAttempts.where('state').equals('done').toArray()
    const list: AssignedQuiz[] = []
    for (const a of assignments) {
      const quiz = await db.quizzes.get(a.quizId!)
      if (!quiz) continue
      const latest = latestAttempt(attempts, quiz.id)
      const state = quizState(latest)
      list.push({
        assignmentId: a.id,
        quizId: quiz.id,
        title: quiz.title,
        dueAt: a.dueAt,
        state,
        lastScore: latest?.score?.score ?? null,
        studyAgain: state === 'retraining' && latest ? await wrongSources(latest.questionIds, latest.answers) : [],
      })
    }
    return list.sort((x, y) => (x.dueAt ?? Infinity) - (y.dueAt ?? Infinity))
  },

  /** Assignments with a due date still to do: a course not completed, a quiz not passed. */
  async todos(): Promise<AssignedTodo[]> {
    const assignments = (await db.assignments.toArray()).filter((a) => a.dueAt !== null)
    const attempts = await db.quizAttempts.where('state').equals('done').toArray()
    const todos: AssignedTodo[] = []
    for (const a of assignments) {
      if (a.quizId) {
        const quiz = await db.quizzes.get(a.quizId)
        if (quiz && quizState(latestAttempt(attempts, quiz.id)) !== 'passed') {
          todos.push({ assignmentId: a.id, kind: 'quiz', contentId: quiz.id, title: quiz.title, dueAt: a.dueAt! })
        }
      } else if (a.courseId) {
        const course = await db.courses.get(a.courseId)
        const lessons = await db.lessons.where('courseId').equals(a.courseId).primaryKeys()
        const done = (await db.progress.where('courseId').equals(a.courseId).toArray()).filter((p) => p.completedAt).length
        if (course && done < lessons.length) {
          todos.push({ assignmentId: a.id, kind: 'course', contentId: course.id, title: course.title, dueAt: a.dueAt! })
        }
      }
    }
    return todos.sort((x, y) => x.dueAt - y.dueAt)
  },
}
