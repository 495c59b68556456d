import type { FlowingRecord } from '@/protocol/flowing.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent

export const flowingApi = {
  mine: () => api<{ items: FlowingRecord[]; confirmedCount: number }>('GET', '/v1/flowing-records/me'),
  pending: (orgUnitId: string) => api<{ items: FlowingRecord[] }>('GET', `/v1/flowing-records?orgUnitId=${q(orgUnitId)}&status=pending`),
  /** The newest reviewed cards with their review history (已被更正 shows there). */
  reviewed: (orgUnitId: string) => api<{ items: FlowingRecord[] }>('GET', `/v1/flowing-records/reviewed?orgUnitId=${q(orgUnitId)}`),
}
