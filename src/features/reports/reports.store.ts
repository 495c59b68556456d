/**
 * Reports for leaders and supervisors. Online only: figures are added up on the server over the
 * whole subtree, so there is nothing sensible to show from a phone's cache. A failed load keeps
 * what was on screen and shows the error.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { OrgKind } from '@/protocol/auth.ts'
import type { ChildSort, MemberReport, UnitReport } from '@/protocol/reports.ts'
import { errorMessageKey } from '@/shared/http.ts'
import { reportsApi } from './reports.api.ts'

const KIND_DEPTH: Record<OrgKind, number> = { district: 0, township: 1, branch: 2, group: 3 }
const LEADING = new Set(['group_leader', 'secretary', 'supervisor', 'admin'])

export const useReportsStore = defineStore('reports', () => {
  const auth = useAuthStore()
  const report = ref<UnitReport>()
  const loading = ref(false)
  const error = ref<string>()
  const sort = ref<ChildSort>('name')
  const order = ref<'asc' | 'desc'>('asc')
  const weeks = ref(4)

  const members = ref<MemberReport[]>([])
  const membersNext = ref<string | null>(null)
  const membersLoading = ref(false)
  const behindOnly = ref(false)

  /** Where a viewer starts: the highest unit where they lead. */
  const homeUnitId = computed(() => {
    const leading = (auth.profile?.roles ?? []).filter((r) => LEADING.has(r.role))
    leading.sort((a, b) => KIND_DEPTH[a.orgKind] - KIND_DEPTH[b.orgKind])
    return leading[0]?.orgUnitId
  })

  let loadSeq = 0
  /** Loads one unit's report and the first page of its members. */
  async function open(unitId: string): Promise<void> {
    const seq = ++loadSeq
    loading.value = true
    error.value = undefined
    try {
      const next = await reportsApi.unit(unitId, sort.value, order.value, weeks.value)
      if (seq !== loadSeq) return
      report.value = next
      await loadMembers(true)
    } catch (err) {
      if (seq === loadSeq) error.value = errorMessageKey(err)
    } finally {
      if (seq === loadSeq) loading.value = false
    }
  }

  /** Sorting again by the same column flips the order; a new column starts with the largest first. */
  async function sortBy(key: ChildSort): Promise<void> {
    if (sort.value === key) order.value = order.value === 'asc' ? 'desc' : 'asc'
    else {
      sort.value = key
      order.value = key === 'name' ? 'asc' : 'desc'
    }
    if (report.value) await open(report.value.unit.id)
  }

  async function loadMembers(reset = false): Promise<void> {
    const unit = report.value?.unit.id
    if (!unit) return
    membersLoading.value = true
    try {
      const page = await reportsApi.members(unit, weeks.value, behindOnly.value, reset ? undefined : (membersNext.value ?? undefined))
      members.value = reset ? page.items : [...members.value, ...page.items]
      membersNext.value = page.next
    } catch (err) {
      error.value = errorMessageKey(err)
    } finally {
      membersLoading.value = false
    }
  }

  async function showBehindOnly(on: boolean): Promise<void> {
    behindOnly.value = on
    await loadMembers(true)
  }

  return { report, loading, error, sort, order, weeks, members, membersNext, membersLoading, behindOnly, homeUnitId, open, sortBy, loadMembers, showBehindOnly }
})
