/**
 * Study points 学习圈 on the phone: the cached area (read live from Dexie, so the list works
 * offline), sorted by distance from the member's position or a chosen township's centre. The
 * network only refreshes the cache; supervisors' edits are online calls. The position stays on
 * the phone: the server is asked for the grid cell around it (src/protocol/areaCell.ts).
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { StudyPoint, StudyPointArea, StudyPointInput, StudyPointPatch, StudyPointType } from '@/protocol/studyPoints.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { byDistance } from './geo.ts'
import { currentPosition, type LocationFailure } from './location.ts'
import { areaCellOf } from '@/protocol/areaCell.ts'
import { allPages, studyPointsApi, unitWithChildren } from './studyPoints.api.ts'
import { replaceArea, studyPointsDb, type PointsOrigin } from './studyPoints.db.ts'

export type PointWithDistance = StudyPoint & { km: number | null }

export const useStudyPointsStore = defineStore('studyPoints', () => {
  const points = liveRef(() => studyPointsDb.all(), [] as StudyPoint[])
  const origin = liveRef(() => studyPointsDb.origin(), undefined as PointsOrigin | undefined)
  const areas = liveRef(() => studyPointsDb.areas(), [] as StudyPointArea[])
  const typeFilter = ref<StudyPointType | null>(null)
  const locating = ref(false)
  const loading = ref(false)
  const locationFailure = ref<LocationFailure | null>(null)
  /** The last refresh failed (offline): the list shows what was saved. */
  const stale = ref(false)

  const sorted = computed<PointWithDistance[]>(() => {
    const shown = points.value.filter((p) => !p.retired && (!typeFilter.value || p.type === typeFilter.value))
    if (origin.value) return byDistance(shown, origin.value)
    return shown.map((p) => ({ ...p, km: null })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
  })

  async function refreshArea(read: (cursor?: string) => ReturnType<typeof studyPointsApi.inUnit>): Promise<void> {
    loading.value = true
    try {
      await replaceArea(await allPages(read))
      stale.value = false
    } catch {
      // Offline or unreachable: the saved area stays, sorted from the new origin.
      stale.value = true
    } finally {
      loading.value = false
    }
  }

  /**
   * Asks the phone where it is (the permission prompt appears only now), then reads the points
   * of the grid cells around it; the position itself is kept only in this phone's database. Offline, the saved points are sorted from the new position. Returns false when
   * the position is denied or unavailable: the page then offers the township list.
   */
  async function nearMe(): Promise<boolean> {
    locating.value = true
    locationFailure.value = null
    try {
      const at = await currentPosition()
      await studyPointsDb.setOrigin({ kind: 'gps', ...at, at: Date.now() })
      locating.value = false
      await refreshArea((cursor) => studyPointsApi.inCell(areaCellOf(at.lat, at.lng), cursor))
      return true
    } catch (failure) {
      locationFailure.value = failure === 'denied' ? 'denied' : 'unavailable'
      void loadAreas()
      return false
    } finally {
      locating.value = false
    }
  }

  /** The townships to choose from; offline, the list saved last time. */
  async function loadAreas(): Promise<void> {
    try {
      await studyPointsDb.setAreas((await studyPointsApi.areas()).items)
    } catch {
      // keeps the saved list
    }
  }

  /** Measures from a township's centre and reads its points (the fallback without location). */
  async function chooseArea(area: StudyPointArea): Promise<void> {
    if (area.lat !== null && area.lng !== null) {
      await studyPointsDb.setOrigin({ kind: 'area', lat: area.lat, lng: area.lng, areaId: area.id, areaName: area.name, at: Date.now() })
    }
    await refreshArea((cursor) => studyPointsApi.inUnit(area.id, cursor))
  }

  /** Re-reads the saved area (on opening the page) without asking for the position again. */
  async function refresh(): Promise<void> {
    const o = await studyPointsDb.origin()
    if (o?.kind === 'gps') await refreshArea((cursor) => studyPointsApi.inCell(areaCellOf(o.lat, o.lng), cursor))
    else if (o?.areaId) await refreshArea((cursor) => studyPointsApi.inUnit(o.areaId!, cursor))
  }

  /** One point: from the cache at once, then fresh from the server when reachable (its meetings). */
  async function load(id: string): Promise<StudyPoint | undefined> {
    const cached = await studyPointsDb.get(id)
    try {
      const fresh = await studyPointsApi.one(id)
      if (cached) await studyPointsDb.put(fresh)
      return fresh
    } catch {
      return cached
    }
  }

  /** Leaders: their meetings that could be held at a point (from the attendance cache). */
  const upcomingMeetings = () => studyPointsDb.upcomingMeetings()
  /** Holds a leader's meeting at a point (online), which opens it to visitors; returns the fresh point. */
  async function linkMeeting(pointId: string, meetingId: string): Promise<StudyPoint> {
    const point = await studyPointsApi.linkMeeting(pointId, meetingId)
    if (await studyPointsDb.get(pointId)) await studyPointsDb.put(point)
    return point
  }

  // Supervisors' tools: online only (they manage points from the township office).
  const listForUnit = (orgUnitId: string) => allPages((cursor) => studyPointsApi.inUnit(orgUnitId, cursor, true))
  const create = (input: StudyPointInput) => studyPointsApi.create(input)
  const update = (id: string, patch: StudyPointPatch) => studyPointsApi.update(id, patch)
  /** The units a point managed from `orgUnitId` may be run by: that unit and its children. */
  const unitChoices = async (orgUnitId: string) => {
    const { unit, children } = await unitWithChildren(orgUnitId)
    return [unit, ...children]
  }

  return { points, origin, areas, typeFilter, sorted, locating, loading, locationFailure, stale, nearMe, refresh, loadAreas, chooseArea, load, listForUnit, create, update, unitChoices, upcomingMeetings, linkMeeting }
})
