import type { ExamCreate, ExamResults, ExamStarted, ExamSummary, MyExams } from '@/protocol/exam.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
const page = (cursor: string | null | undefined) => (cursor ? `&cursor=${q(cursor)}` : '')

/** Exams: members read their papers online (then take them offline); leaders set and read exams online. */
export const examApi = {
  mine: () => api<MyExams>('GET', '/v1/exams/mine'),
  /** Online only: the server's clock for this attempt starts and the paper is handed out. */
  start: (id: string, attemptNo: number) => api<ExamStarted>('POST', `/v1/exams/${q(id)}/start`, { attemptNo }),
  list: (orgUnitId: string, cursor?: string | null) =>
    api<{ items: ExamSummary[]; next: string | null }>('GET', `/v1/exams?orgUnitId=${q(orgUnitId)}&limit=20${page(cursor)}`),
  quizzes: (orgUnitId: string) => api<{ items: { id: string; title: string }[] }>('GET', `/v1/exams/quizzes?orgUnitId=${q(orgUnitId)}`),
  create: (body: ExamCreate) => api<ExamSummary>('POST', '/v1/exams', body),
  results: (id: string, cursor?: string | null) => api<ExamResults>('GET', `/v1/exams/${q(id)}/results?limit=50${page(cursor)}`),
}
