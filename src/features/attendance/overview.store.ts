/**
 * The leaders' overview on the phone: one unit at a time (the leader's own, or a group or branch
 * below it they tapped), its first pages cached in Dexie so the last view shows offline.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { MeetingRate, MemberRate } from '@/protocol/attendanceOverview.ts'
import { attendanceApi } from './attendance.api.ts'
import { attendanceDb, cacheOverview, type OverviewSnapshot } from './attendance.db.ts'

const RANK = { group_leader: 1, secretary: 2, supervisor: 3, admin: 4 } as Record<string, number>

export const useOverviewStore = defineStore('attendanceOverview', () => {
  const auth = useAuthStore()
  const view = ref<OverviewSnapshot>()
  const loading = ref(false)
  /** The server could not be reached: `view` is the cached copy (or nothing). */
  const offline = ref(false)
  const inactiveOnly = ref(true)
  const members = ref<{ items: MemberRate[]; next: string | null }>({ items: [], next: null })

  /** The unit where this person holds their highest leading role: where the overview opens. */
  const homeUnitId = computed(() => {
    const leading = (auth.profile?.roles ?? []).filter((r) => RANK[r.role]).sort((a, b) => RANK[b.role]! - RANK[a.role]!)
    return leading[0]?.orgUnitId
  })

  /** Shows the cached overview of a unit at once, then the server's when it answers. */
  async function open(orgUnitId: string): Promise<void> {
    loading.value = true
    offline.value = false
    const cached = await attendanceDb.overview(orgUnitId)
    view.value = cached
    members.value = cached?.inactive ?? { items: [], next: null }
    inactiveOnly.value = true
    try {
      const [head, units, meetings, inactive] = await Promise.all([
        attendanceApi.overview(orgUnitId),
        attendanceApi.overviewUnits(orgUnitId),
        attendanceApi.overviewMeetings(orgUnitId),
        attendanceApi.overviewMembers(orgUnitId, true),
      ])
      const snapshot: OverviewSnapshot = { ...head, units, meetings, inactive, fetchedAt: Date.now() }
      view.value = snapshot
      members.value = inactive
      await cacheOverview(snapshot)
    } catch {
      offline.value = true
    } finally {
      loading.value = false
    }
  }

  /** Switches between "no attendance in 3 months" and everyone (online only). */
  async function showMembers(inactive: boolean): Promise<void> {
    const unit = view.value?.unit.orgUnitId
    if (!unit) return
    inactiveOnly.value = inactive
    try {
      members.value = await attendanceApi.overviewMembers(unit, inactive)
    } catch {
      offline.value = true
    }
  }

  /** Appends the next page of one list (online only; offline the cached first page stays). */
  async function more(list: 'units' | 'meetings' | 'members'): Promise<void> {
    const v = view.value
    if (!v) return
    const unit = v.unit.orgUnitId
    try {
      if (list === 'members' && members.value.next) {
        const page = await attendanceApi.overviewMembers(unit, inactiveOnly.value, members.value.next)
        members.value = { items: [...members.value.items, ...page.items], next: page.next }
      } else if (list === 'units' && v.units.next) {
        const page = await attendanceApi.overviewUnits(unit, v.units.next)
        view.value = { ...v, units: { items: [...v.units.items, ...page.items], next: page.next } }
      } else if (list === 'meetings' && v.meetings.next) {
        const page: { items: MeetingRate[]; next: string | null } = await attendanceApi.overviewMeetings(unit, v.meetings.next)
        view.value = { ...v, meetings: { items: [...v.meetings.items, ...page.items], next: page.next } }
      }
    } catch {
      offline.value = true
    }
  }

  return { view, loading, offline, members, inactiveOnly, homeUnitId, open, showMembers, more }
})
