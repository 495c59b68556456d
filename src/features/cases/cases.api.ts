import type { CasePage } from '@/protocol/cases.ts'
import { api } from '@/shared/http.ts'

/** 好的进教材: the member's proposals are read online (then answered offline, through the outbox). */
export const casesApi = {
  mine: () => api<CasePage>('GET', '/v1/cases/mine?limit=50'),
}
