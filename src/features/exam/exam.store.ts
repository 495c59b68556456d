import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DeadLetterRecord, ExamAttemptRow } from '@/db/db.ts'
import type { ExamAttemptPayload, MyExam } from '@/protocol/exam.ts'
import { useSyncStore } from '@/features/sync/sync.store.ts'
import { liveRef } from '@/shared/liveRef.ts'
import type { ShownQuestion } from '@/features/quiz/quiz.store.ts'
import { examApi } from './exam.api.ts'
import { learnOffset } from '@/features/sync/clock.ts'
import { db } from '@/db/db.ts'
import { examDb, nextAttemptNo } from './exam.db.ts'

/** Where an exam stands for this member, as the list and the exam page show it. */
export type ExamState = 'notOpen' | 'open' | 'answering' | 'waiting' | 'refused' | 'scored' | 'closed'

export const useExamStore = defineStore('exam', () => {
  const exams = liveRef(examDb.exams, [] as MyExam[])
  const attempts = liveRef(examDb.allAttempts, [] as ExamAttemptRow[])
  const sync = useSyncStore()
  const loading = ref(false)

  /** Reads the member's exams online and keeps them for offline; offline, the kept ones stay. */
  async function refresh(): Promise<void> {
    loading.value = true
    try {
      await examDb.saveExams((await examApi.mine()).items)
    } finally {
      loading.value = false
    }
  }

  const mineOf = (examId: string) => attempts.value.filter((a) => a.examId === examId)
  /** The server's refusal of one of this exam's attempts, if any. */
  function refusalOf(examId: string): DeadLetterRecord | undefined {
    return sync.refused.find((r) => r.kind === 'exam_attempt' && (r.payload as ExamAttemptPayload).examId === examId)
  }

  function stateOf(exam: MyExam, now = Date.now()): ExamState {
    const mine = mineOf(exam.id)
    if (mine.some((a) => a.state === 'active')) return 'answering'
    const sealed = mine.filter((a) => a.state === 'sealed')
    const scoredNos = new Set(exam.results.map((r) => r.attemptNo))
    if (sealed.some((a) => !scoredNos.has(a.attemptNo))) return refusalOf(exam.id) ? 'refused' : 'waiting'
    // The phone's clock only guides the screen; the server judges the window when the attempt arrives.
    if (exam.closed || now > exam.closesAt) return 'closed'
    if (now < exam.opensAt) return 'notOpen'
    return exam.results.length ? 'scored' : 'open'
  }

  const cards = computed(() => exams.value.map((exam) => ({ exam, state: stateOf(exam) })))

  /** The paper as QuizQuestion shows it: options in this person's order with their original letters. */
  function shown(exam: MyExam): ShownQuestion[] {
    return (exam.paper ?? []).map((q) => ({
      question: { id: q.id, bankId: '', type: q.type, stem: q.stem, options: q.options, answer: q.answer ?? [], explanation: q.explanation ?? '', source: { kind: 'lesson', id: '' }, tags: [] },
      options: q.options.map((text, i) => ({ letter: q.letters[i]!, text })),
    }))
  }

  /**
   * Resumes the active attempt (offline too), or starts the next one online: the server records
   * the start and hands out the paper, and the phone's timer runs from the server's start. Null
   * when no attempt is left; throws HttpError (NETWORK offline, EXAM_* refusals) otherwise.
   */
  async function start(exam: MyExam): Promise<ExamAttemptRow | null> {
    const active = await examDb.active(exam.id)
    if (active) return active
    const attemptNo = nextAttemptNo(exam, await examDb.attempts(exam.id))
    if (attemptNo > exam.attemptsAllowed) return null
    const sentAt = Date.now()
    const res = await examApi.start(exam.id, attemptNo)
    const deviceNow = Date.now()
    // Fresh offset for the seal's corrected time: the server judges the limit by it.
    await learnOffset(db, res.serverNow - (sentAt + deviceNow) / 2, deviceNow)
    return examDb.begin(res.exam, attemptNo, deviceNow - (res.serverNow - res.startedAt))
  }

  return { exams, attempts, loading, refresh, find: examDb.exam, mineOf, refusalOf, stateOf, cards, shown, start, save: examDb.saveProgress, seal: examDb.seal }
})
