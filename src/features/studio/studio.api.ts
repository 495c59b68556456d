import type { Lecturer } from '@/protocol/admin.ts'
import type { CourseCategory, CourseCategoryList, Draft, StudioDiff, StudioItem, StudioItemPage, StudioKind, StudioVersionList } from '@/protocol/studio.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
const item = (id: string, rest = '') => `/v1/studio/items/${q(id)}${rest}`

/** The course studio works online only: drafts live on the server, where the second reviewer sees them. */
export const studioApi = {
  list: (orgUnitId: string, kind: StudioKind, cursor?: string | null) =>
    api<StudioItemPage>('GET', `/v1/studio/items?orgUnitId=${q(orgUnitId)}&kind=${kind}&limit=20${cursor ? `&cursor=${q(cursor)}` : ''}`),
  create: (orgUnitId: string, draft: Draft) => api<StudioItem>('POST', '/v1/studio/items', { orgUnitId, draft }),
  get: (id: string) => api<StudioItem>('GET', item(id)),
  save: (id: string, revision: number, draft: Draft) => api<StudioItem>('PUT', item(id), { revision, draft }),
  submit: (id: string, revision: number) => api<StudioItem>('POST', item(id, '/submit'), { revision }),
  diff: (id: string) => api<StudioDiff>('GET', item(id, '/diff')),
  approve: (id: string, revision: number) => api<StudioItem>('POST', item(id, '/approve'), { revision }),
  reject: (id: string, revision: number, reason: string) => api<StudioItem>('POST', item(id, '/reject'), { revision, reason }),
  versions: (id: string) => api<StudioVersionList>('GET', item(id, '/versions')),
  rollback: (id: string, version: number) => api<StudioItem>('POST', item(id, '/rollback'), { version }),
  unpublish: (id: string) => api<StudioItem>('POST', item(id, '/unpublish')),
  categories: (orgUnitId: string) => api<CourseCategoryList>('GET', `/v1/studio/categories?orgUnitId=${q(orgUnitId)}`),
  addCategory: (orgUnitId: string, title: string) => api<CourseCategory>('POST', '/v1/studio/categories', { orgUnitId, title }),
  lecturers: (orgUnitId: string) => api<{ items: Lecturer[]; next: string | null }>('GET', `/v1/studio/lecturers?orgUnitId=${q(orgUnitId)}&limit=100`),
}
