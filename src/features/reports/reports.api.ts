import type { ChildSort, MemberReportPage, UnitReport } from '@/protocol/reports.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent

export const reportsApi = {
  unit: (id: string, sort: ChildSort, order: 'asc' | 'desc', weeks: number) =>
    api<UnitReport>('GET', `/v1/reports/units/${q(id)}?sort=${sort}&order=${order}&weeks=${weeks}&limit=200`),
  members: (id: string, weeks: number, behindOnly: boolean, cursor?: string) =>
    api<MemberReportPage>(
      'GET',
      `/v1/reports/units/${q(id)}/members?weeks=${weeks}&limit=50${behindOnly ? '&behindOnly=true' : ''}${cursor ? `&cursor=${q(cursor)}` : ''}`,
    ),
}
