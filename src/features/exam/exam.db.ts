/**
 * Exams on the phone (docs/quiz.md "Exams"). An attempt is started online (the server hands out
 * the paper and starts its clock); the paper is kept here, so the attempt is answered and sealed
 * with no signal. An attempt is saved after every answer; submitting
 * SEALS it and queues its `exam_attempt` record in one transaction, so a reload, a killed tab or
 * an app update finds it sealed and queued, never editable again.
 */
import { db, type ExamAttemptRow } from '@/db/db.ts'
import type { MyExam } from '@/protocol/exam.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'

/** The next attempt number: after every attempt the server scored and every one sealed here. */
export function nextAttemptNo(exam: MyExam, local: ExamAttemptRow[]): number {
  return Math.max(0, ...exam.results.map((r) => r.attemptNo), ...local.filter((a) => a.state === 'sealed').map((a) => a.attemptNo)) + 1
}

export const examDb = {
  /** The server's list replaces the cached one (it is the member's whole current list). */
  async saveExams(items: MyExam[]): Promise<void> {
    await db.transaction('rw', db.examPapers, async () => {
      await db.examPapers.clear()
      await db.examPapers.bulkPut(items)
    })
  },
  exams: async () => (await db.examPapers.toArray()).sort((a, b) => b.closesAt - a.closesAt),
  exam: (id: string) => db.examPapers.get(id),
  attempts: (examId: string) => db.examAttempts.where('examId').equals(examId).sortBy('attemptNo'),
  attempt: (id: string) => db.examAttempts.get(id),
  allAttempts: () => db.examAttempts.toArray(),

  /** The attempt being answered, if any (it is resumed offline, with no new start). */
  active: (examId: string) => db.examAttempts.where('examId').equals(examId).filter((a) => a.state === 'active').first(),

  /**
   * A new attempt with the paper the server just handed out, its timer running from the server's
   * start (`startedAt`, device clock). An attempt already active is returned as it is.
   */
  async begin(exam: MyExam, attemptNo: number, startedAt: number): Promise<ExamAttemptRow> {
    return db.transaction('rw', [db.examAttempts, db.examPapers], async () => {
      const active = await db.examAttempts.where('examId').equals(exam.id).filter((a) => a.state === 'active').first()
      if (active) return active
      await db.examPapers.put(exam)
      const row: ExamAttemptRow = { id: uuidv7(), examId: exam.id, attemptNo, state: 'active', answers: {}, current: 0, startedAt, sealedAt: null }
      await db.examAttempts.put(row)
      return row
    })
  },

  /** Saves one answer; a sealed attempt is left as it was. */
  async saveProgress(id: string, questionId: string, answer: string[], current: number): Promise<void> {
    await db.transaction('rw', db.examAttempts, async () => {
      const row = await db.examAttempts.get(id)
      if (!row || row.state !== 'active') return
      await db.examAttempts.put({ ...row, answers: { ...row.answers, [questionId]: [...answer] }, current })
    })
  },

  /** Seals the attempt and queues it, in ONE transaction; sealing twice queues once. */
  async seal(id: string, now = Date.now()): Promise<ExamAttemptRow> {
    return db.transaction('rw', [db.examAttempts, db.examPapers, db.outbox], async () => {
      const row = await db.examAttempts.get(id)
      if (!row) throw new Error('exam attempt not found')
      if (row.state === 'sealed') return row
      const exam = await db.examPapers.get(row.examId)
      const sealed: ExamAttemptRow = { ...row, state: 'sealed', sealedAt: now }
      await db.examAttempts.put(sealed)
      await enqueue(db, 'exam_attempt', {
        attemptId: row.id,
        examId: row.examId,
        attemptNo: row.attemptNo,
        answers: (exam?.paper ?? []).map((q) => ({ questionId: q.id, answer: row.answers[q.id] ?? [] })),
        startedAt: row.startedAt,
      })
      return sealed
    })
  },
}
