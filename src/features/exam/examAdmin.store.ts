import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ExamCreate, ExamResults, ExamSummary } from '@/protocol/exam.ts'
import { examApi } from './exam.api.ts'

/** The leaders' exam screen: online only, like the other management screens. */
export const useExamAdminStore = defineStore('examAdmin', () => {
  const quizzes = ref<{ id: string; title: string }[]>([])
  const exams = ref<ExamSummary[]>([])
  const next = ref<string | null>(null)
  const results = ref<ExamResults | null>(null)

  async function load(orgUnitId: string): Promise<void> {
    const [q, list] = await Promise.all([examApi.quizzes(orgUnitId), examApi.list(orgUnitId)])
    quizzes.value = q.items
    exams.value = list.items
    next.value = list.next
  }
  async function more(orgUnitId: string): Promise<void> {
    const list = await examApi.list(orgUnitId, next.value)
    exams.value = [...exams.value, ...list.items]
    next.value = list.next
  }
  async function create(body: ExamCreate): Promise<void> {
    const exam = await examApi.create(body)
    exams.value = [exam, ...exams.value]
  }
  /** Results of one exam; `more` appends the next page of those who must retake. */
  async function open(id: string, more = false): Promise<void> {
    const page = await examApi.results(id, more ? results.value?.next : undefined)
    results.value = more && results.value ? { ...page, retake: [...results.value.retake, ...page.retake] } : page
  }

  return { quizzes, exams, next, results, load, more, create, open }
})
