import type { EvaluationComments, EvaluationSummaries } from '@/protocol/evaluation.ts'
import type { ItemStatsPage } from '@/protocol/itemStats.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
const page = (cursor: string | null | undefined) => (cursor ? `&cursor=${q(cursor)}` : '')

/** Figures for the party school and supervisors, and question quality for editors: online only. */
export const evaluationApi = {
  summaries: (orgUnitId: string, by: 'course' | 'lecturer', cursor?: string | null) =>
    api<EvaluationSummaries>('GET', `/v1/evaluations?orgUnitId=${q(orgUnitId)}&by=${by}&limit=20${page(cursor)}`),
  comments: (orgUnitId: string, by: 'course' | 'lecturer', id: string, cursor?: string | null) =>
    api<EvaluationComments>('GET', `/v1/evaluations/comments?orgUnitId=${q(orgUnitId)}&by=${by}&id=${q(id)}&limit=20${page(cursor)}`),
  itemStats: (cursor?: string | null) => api<ItemStatsPage>('GET', `/v1/item-stats?limit=20${page(cursor)}`),
}
