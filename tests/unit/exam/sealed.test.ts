/**
 * A sealed exam attempt: submitting seals it and queues its record in one transaction; a sealed
 * attempt takes no more answers, is queued once however often it is submitted, stays sealed after
 * a reload (a fresh database connection), and uses up the exam's only attempt.
 */
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { db, PocketDb } from '@/db/db.ts'
import { examApi } from '@/features/exam/exam.api.ts'
import { examDb } from '@/features/exam/exam.db.ts'
import { useExamStore } from '@/features/exam/exam.store.ts'
import type { MyExam } from '@/protocol/exam.ts'
import { HttpError } from '@/shared/http.ts'

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
    const attempt = await examDb.begin(EXAM, 1, Date.now())
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
    // The only attempt is used: no new one starts (and the server is not asked).
    setActivePinia(createPinia())
    const ask = vi.spyOn(examApi, 'start')
    expect(await useExamStore().start(EXAM)).toBeNull()
    expect(ask).not.toHaveBeenCalled()
  })
})

describe('starting an exam attempt', () => {
  beforeEach(async () => {
    vi.restoreAllMocks()
    setActivePinia(createPinia())
    await Promise.all([db.examPapers.clear(), db.examAttempts.clear(), db.outbox.clear()])
    await examDb.saveExams([{ ...EXAM, paper: null }])
  })

  it('gets the paper online and times it from the server’s start, not the phone’s clock', async () => {
    const serverNow = Date.now() + 3_600_000 // the phone's clock is an hour slow
    vi.spyOn(examApi, 'start').mockResolvedValue({ exam: EXAM, startedAt: serverNow - 5 * 60_000, serverNow })
    const attempt = (await useExamStore().start({ ...EXAM, paper: null }))!
    // Five minutes of the twenty are already gone on the server's clock.
    expect(Date.now() - attempt.startedAt).toBeGreaterThanOrEqual(5 * 60_000 - 1000)
    expect(Date.now() - attempt.startedAt).toBeLessThan(5 * 60_000 + 1000)
    expect((await examDb.exam('exam-1'))!.paper).toHaveLength(2)
  })

  it('offline, refuses to start a new attempt but resumes the one being answered', async () => {
    vi.spyOn(examApi, 'start').mockRejectedValue(new HttpError(0, 'NETWORK', 'offline'))
    const store = useExamStore()
    await expect(store.start(EXAM)).rejects.toMatchObject({ code: 'NETWORK' })
    expect(await db.examAttempts.count()).toBe(0)

    const first = await examDb.begin(EXAM, 1, Date.now())
    await examDb.saveProgress(first.id, 'q2', ['true'], 1)
    expect(await store.start(EXAM)).toMatchObject({ id: first.id, current: 1, answers: { q2: ['true'] } })
  })
})
