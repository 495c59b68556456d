import type { AssignmentCreate, AssignmentResults, AssignmentView } from '@/protocol/assignment.ts'
import type { Member, OrgUnitWithChildren } from '@/protocol/org.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
const page = (cursor: string | null | undefined) => (cursor ? `&cursor=${q(cursor)}` : '')

/** Secretaries' and leaders' assignment screens: online only (they manage, members use the pull). */
export const assignmentApi = {
  list: (orgUnitId: string, cursor?: string | null) =>
    api<{ items: AssignmentView[]; next: string | null }>('GET', `/v1/assignments?orgUnitId=${q(orgUnitId)}&limit=20${page(cursor)}`),
  create: (body: AssignmentCreate) => api<AssignmentView>('POST', '/v1/assignments', body),
  cancel: (id: string) => api<void>('DELETE', `/v1/assignments/${q(id)}`),
  results: (id: string, orgUnitId: string, cursor?: string | null) =>
    api<AssignmentResults>('GET', `/v1/assignments/${q(id)}/results?orgUnitId=${q(orgUnitId)}&limit=50${page(cursor)}`),
  unit: (id: string) => api<OrgUnitWithChildren>('GET', `/v1/org/units/${q(id)}`),
  members: (orgUnitId: string, cursor?: string | null) =>
    api<{ items: Member[]; next: string | null }>('GET', `/v1/org/units/${q(orgUnitId)}/members?limit=200${page(cursor)}`),
}
