import type { CasePage, CaseProposal, CaseTargets, ProposeCaseBody } from '@/protocol/cases.ts'
import { api } from '@/shared/http.ts'

/** 好的进教材: the member's proposals are read online (then answered offline, through the outbox); proposing is online, like the studio. */
export const casesApi = {
  mine: () => api<CasePage>('GET', '/v1/cases/mine?limit=50'),
  targets: (reflectionId: string) => api<CaseTargets>('GET', `/v1/cases/targets?reflectionId=${encodeURIComponent(reflectionId)}`),
  propose: (body: ProposeCaseBody) => api<CaseProposal>('POST', '/v1/cases', body),
  ofUnit: (orgUnitId: string, cursor?: string | null) =>
    api<CasePage>('GET', `/v1/cases?orgUnitId=${encodeURIComponent(orgUnitId)}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
}
