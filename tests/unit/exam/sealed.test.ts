/**
 * A sealed exam attempt: submitting seals it and queues its record in one transaction; a sealed
 * attempt takes no more answers, is queued once however often it is submitted, stays sealed after
 * a reload (a fresh database connection), and uses up the exam's only attempt.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { db, PocketDb } from '@/db/db.ts'
import { examDb } from '@/features/exam/exam.db.ts'
import type { MyExam } from '@/protocol/exam.ts'

const EXAM: MyExam = {
  id: 'exam-1',
  title: '党章党纪年度考核',
  opensAt: Date.now() - 3_600_000,
  closesAt: Date.now() + 3_600_000,
  attemptsAllowed: 1,
  timeLimitMinutes: 20,
  passMark: 60,
  closed: false,
  paper: [
    { id: 'q1', type: 'single', stem: '一', options: ['乙', '甲'], letters: ['B', 'A'] },
    { id: 'q2', type: 'truefalse', stem: '二', options: [], letters: [] },
  ],
  results: [],
}

describe('a sealed exam attempt', () => {
  beforeEach(async () => {
    await Promise.all([db.examPapers.clear(), db.examAttempts.clear(), db.outbox.clear()])
    await examDb.saveExams([EXAM])
  })

  it('is queued once with its answers, takes no more answers and stays sealed after a reload', async () => {
    const attempt = (await examDb.startOrResume(EXAM))!
    await examDb.saveProgress(attempt.id, 'q1', ['A'], 1)
    await examDb.seal(attempt.id)
    await examDb.seal(attempt.id)
    await examDb.saveProgress(attempt.id, 'q1', ['B'], 1)

    const outbox = await db.outbox.toArray()
    expect(outbox).toHaveLength(1)
    expect(outbox[0]).toMatchObject({
      kind: 'exam_attempt',
      payload: { attemptId: attempt.id, examId: 'exam-1', attemptNo: 1, answers: [{ questionId: 'q1', answer: ['A'] }, { questionId: 'q2', answer: [] }] },
    })

    const reloaded = new PocketDb()
    const row = await reloaded.examAttempts.get(attempt.id)
    reloaded.close()
    expect(row).toMatchObject({ state: 'sealed', answers: { q1: ['A'] } })
    // The only attempt is used: no new one starts.
    expect(await examDb.startOrResume(EXAM)).toBeNull()
  })

  it('resumes the attempt being answered instead of starting another', async () => {
    const first = (await examDb.startOrResume(EXAM))!
    await examDb.saveProgress(first.id, 'q2', ['true'], 1)
    const again = (await examDb.startOrResume(EXAM))!
    expect(again).toMatchObject({ id: first.id, current: 1, answers: { q2: ['true'] } })
  })
})
