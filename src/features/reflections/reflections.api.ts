import type { FeedPage, StatsPage } from '@/protocol/reflections.ts'
import { api } from '@/shared/http.ts'
import type { Feed } from './reflections.db.ts'

const q = encodeURIComponent
export const FEED_PAGE_SIZE = 20

export const reflectionsApi = {
  feed: (feed: Feed, cursor?: string) =>
    api<FeedPage>('GET', `/v1/reflections?scope=${feed}&limit=${FEED_PAGE_SIZE}${cursor ? `&cursor=${q(cursor)}` : ''}`),
  photos: (id: string) => api<{ photos: string[] }>('GET', `/v1/reflections/${q(id)}/photos`),
  stats: (orgUnitId: string, month: string, cursor?: string) =>
    api<StatsPage>('GET', `/v1/reflections/stats?orgUnitId=${q(orgUnitId)}&month=${q(month)}${cursor ? `&cursor=${q(cursor)}` : ''}`),
}
