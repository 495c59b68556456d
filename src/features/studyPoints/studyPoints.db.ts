/**
 * The study points of the area the member last looked at, cached for offline use, and where
 * distances are measured from (their position, or the centre of a chosen township).
 */
import { db, type MeetingRow } from '@/db/db.ts'
import type { StudyPoint, StudyPointArea } from '@/protocol/studyPoints.ts'
import type { LatLng } from './geo.ts'

export interface PointsOrigin extends LatLng {
  kind: 'gps' | 'area'
  /** The township's id and name when chosen from the list. */
  areaId?: string
  areaName?: string
  at: number
}

const ORIGIN = 'studyPoints.origin'
const AREAS = 'studyPoints.areas'

export const studyPointsDb = {
  all: (): Promise<StudyPoint[]> => db.studyPoints.toArray(),
  get: (id: string): Promise<StudyPoint | undefined> => db.studyPoints.get(id),
  origin: async (): Promise<PointsOrigin | undefined> => (await db.meta.get(ORIGIN))?.value as PointsOrigin | undefined,
  setOrigin: async (origin: PointsOrigin): Promise<void> => void (await db.meta.put({ key: ORIGIN, value: origin })),
  areas: async (): Promise<StudyPointArea[]> => ((await db.meta.get(AREAS))?.value as StudyPointArea[] | undefined) ?? [],
  setAreas: async (areas: StudyPointArea[]): Promise<void> => void (await db.meta.put({ key: AREAS, value: areas })),
  /** A leader's meetings that have not ended and that the server already has (the attendance cache). */
  upcomingMeetings: async (now = Date.now()): Promise<MeetingRow[]> =>
    (await db.meetings.where('startsAt').above(now - 3 * 24 * 60 * 60 * 1000).toArray()).filter((m) => !m.local && m.endsAt >= now),
  /** Keeps a point read on its own page fresh (its meetings change more often than the list). */
  put: async (point: StudyPoint): Promise<void> => void (await db.studyPoints.put(point)),
}

/**
 * Replaces the cached area with a freshly read one, in one transaction: a phone that dies halfway
 * keeps the old area whole rather than half of each.
 */
export async function replaceArea(points: StudyPoint[]): Promise<void> {
  await db.transaction('rw', [db.studyPoints], async () => {
    await db.studyPoints.clear()
    await db.studyPoints.bulkPut(points)
  })
}
