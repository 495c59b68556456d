import type { Decision, Lecturer, LecturerBody, LecturerPatch, LecturerRequest, LecturerRequestBody } from '@/protocol/admin.ts'
import type { LecturerCourse } from '@/protocol/studio.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
type Paged<T> = { items: T[]; next: string | null }
const page = (cursor?: string) => (cursor ? `&cursor=${q(cursor)}` : '')

export const lecturersApi = {
  list: (orgUnitId: string, cursor?: string) => api<Paged<Lecturer>>('GET', `/v1/lecturers?orgUnitId=${q(orgUnitId)}&limit=30${page(cursor)}`),
  courses: (id: string, cursor?: string) => api<Paged<LecturerCourse>>('GET', `/v1/lecturers/${q(id)}/courses?limit=30${page(cursor)}`),
  create: (body: LecturerBody) => api<Lecturer>('POST', '/v1/lecturers', body),
  update: (id: string, patch: LecturerPatch) => api<Lecturer>('PATCH', `/v1/lecturers/${q(id)}`, patch),
  request: (id: string, body: LecturerRequestBody) => api<LecturerRequest>('POST', `/v1/lecturers/${q(id)}/requests`, body),
  requests: (orgUnitId: string, side: 'incoming' | 'outgoing', cursor?: string) =>
    api<Paged<LecturerRequest>>('GET', `/v1/lecturer-requests?orgUnitId=${q(orgUnitId)}&side=${side}&limit=30${page(cursor)}`),
  decide: (id: string, decision: Decision) => api<LecturerRequest>('POST', `/v1/lecturer-requests/${q(id)}/decision`, decision),
}
