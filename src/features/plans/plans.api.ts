import type { MonthlyReport, PlanItem, PlanItemCreate } from '@/protocol/plans.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent

export const plansApi = {
  plan: (orgUnitId: string, year: number) => api<{ items: PlanItem[] }>('GET', `/v1/plans?orgUnitId=${q(orgUnitId)}&year=${year}`),
  add: (item: PlanItemCreate) => api<PlanItem>('POST', '/v1/plans/items', item),
  remove: (id: string) => api<void>('DELETE', `/v1/plans/items/${q(id)}`),
  report: (orgUnitId: string, month: string) => api<MonthlyReport>('GET', `/v1/monthly-reports/${q(orgUnitId)}?month=${month}`),
  reportCsvPath: (orgUnitId: string, month: string) => `/v1/monthly-reports/${q(orgUnitId)}/export.csv?month=${month}`,
}
