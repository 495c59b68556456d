/**
 * Annual study plans on a secretary's screen (usually online, often a desktop): read and changed
 * on the server directly; a failed change shows its error and changes nothing here.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { MonthlyReport, PlanItem, PlanItemCreate } from '@/protocol/plans.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { downloadExport } from '@/features/archive/download.ts'
import { plansApi } from './plans.api.ts'

export type NewPlanItem = Omit<PlanItemCreate, 'id' | 'orgUnitId' | 'year'>

export const usePlansStore = defineStore('plans', () => {
  const auth = useAuthStore()
  const items = ref<PlanItem[]>([])
  const orgUnitId = ref('')
  const year = ref(new Date().getFullYear())
  const loading = ref(false)
  const report = ref<MonthlyReport>()

  /** The twelve months, each with its items (inherited ones first, as the server orders them). */
  const months = computed(() => Array.from({ length: 12 }, (_, i) => ({ month: i + 1, items: items.value.filter((it) => it.month === i + 1) })))

  async function load(unitId: string, forYear: number): Promise<void> {
    orgUnitId.value = unitId
    year.value = forYear
    loading.value = true
    try {
      items.value = (await plansApi.plan(unitId, forYear)).items
    } finally {
      loading.value = false
    }
  }

  /** Adds an item with an id made here, so a retry after a lost answer adds it once. */
  async function add(item: NewPlanItem): Promise<void> {
    const saved = await plansApi.add({ ...item, id: crypto.randomUUID(), orgUnitId: orgUnitId.value, year: year.value })
    items.value = [...items.value, saved]
  }

  async function remove(id: string): Promise<void> {
    await plansApi.remove(id)
    items.value = items.value.filter((it) => it.id !== id)
  }

  async function loadReport(unitId: string, month: string): Promise<void> {
    report.value = await plansApi.report(unitId, month)
  }

  async function exportReport(unitId: string, month: string): Promise<void> {
    await downloadExport(plansApi.reportCsvPath(unitId, month), auth.token, `report-${month}.csv`)
  }

  return { items, orgUnitId, year, loading, months, report, load, add, remove, loadReport, exportReport }
})
