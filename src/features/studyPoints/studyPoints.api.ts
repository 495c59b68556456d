import type { StudyPoint, StudyPointArea, StudyPointInput, StudyPointPatch } from '@/protocol/studyPoints.ts'
import type { OrgUnitWithChildren } from '@/protocol/org.ts'
import type { AreaCell } from '@/protocol/areaCell.ts'
import { api } from '@/shared/http.ts'

type Page<T> = { items: T[]; next: string | null }
const q = encodeURIComponent
const after = (cursor?: string) => (cursor ? `&cursor=${q(cursor)}` : '')

export const studyPointsApi = {
  /** The points of a grid cell and its neighbours: the phone names its area, never its position. */
  inCell: ({ latCell, lngCell }: AreaCell, cursor?: string) =>
    api<Page<StudyPoint>>('GET', `/v1/study-points?latCell=${latCell}&lngCell=${lngCell}&limit=200${after(cursor)}`),
  inUnit: (orgUnitId: string, cursor?: string, includeRetired = false) =>
    api<Page<StudyPoint>>('GET', `/v1/study-points?orgUnitId=${q(orgUnitId)}&limit=200${includeRetired ? '&includeRetired=true' : ''}${after(cursor)}`),
  areas: () => api<Page<StudyPointArea>>('GET', '/v1/study-points/areas?limit=200'),
  one: (id: string) => api<StudyPoint>('GET', `/v1/study-points/${q(id)}`),
  create: (input: StudyPointInput) => api<StudyPoint>('POST', '/v1/study-points', input),
  update: (id: string, patch: StudyPointPatch) => api<StudyPoint>('PATCH', `/v1/study-points/${q(id)}`, patch),
  linkMeeting: (id: string, meetingId: string) => api<StudyPoint>('PUT', `/v1/study-points/${q(id)}/meetings/${q(meetingId)}`),
}

/** Reads every page of an area, up to `maxPages` (a phone keeps one area, not a province). */
export async function allPages(read: (cursor?: string) => Promise<Page<StudyPoint>>, maxPages = 10): Promise<StudyPoint[]> {
  const items: StudyPoint[] = []
  let cursor: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const page = await read(cursor)
    items.push(...page.items)
    if (!page.next) break
    cursor = page.next
  }
  return items
}

/** A supervisor's unit and its children: where a point they manage may be run from. */
export const unitWithChildren = (id: string) => api<OrgUnitWithChildren>('GET', `/v1/org/units/${q(id)}`)
