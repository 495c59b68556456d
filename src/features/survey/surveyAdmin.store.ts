import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { PlanItem } from '@/protocol/plans.ts'
import type { SurveyCreate, SurveyResults, SurveySummary, SurveyUnitRate } from '@/protocol/survey.ts'
import { plansApi } from '@/features/plans/plans.api.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'
import { surveyApi } from './survey.api.ts'

/** Next month in China time, where a plan item made from the results lands. */
function nextMonth(now = Date.now()): { year: number; month: number } {
  const d = new Date(now + 8 * 3_600_000)
  const month = d.getUTCMonth() + 2
  return month > 12 ? { year: d.getUTCFullYear() + 1, month: 1 } : { year: d.getUTCFullYear(), month }
}

/** The leaders' survey screens: online only, like the other management screens. */
export const useSurveyAdminStore = defineStore('surveyAdmin', () => {
  const surveys = ref<SurveySummary[]>([])
  const next = ref<string | null>(null)
  const results = ref<SurveyResults | null>(null)
  const units = ref<SurveyUnitRate[]>([])
  const unitsNext = ref<string | null>(null)

  async function load(orgUnitId: string, more = false): Promise<void> {
    const page = await surveyApi.list(orgUnitId, more ? next.value : undefined)
    surveys.value = more ? [...surveys.value, ...page.items] : page.items
    next.value = page.next
  }
  async function create(body: SurveyCreate): Promise<void> {
    surveys.value = [await surveyApi.create(body), ...surveys.value]
  }
  /** Results of one survey and the first page of its response rates. */
  async function open(id: string): Promise<void> {
    const [r, u] = await Promise.all([surveyApi.results(id), surveyApi.units(id)])
    results.value = r
    units.value = u.items
    unitsNext.value = u.next
  }
  async function moreUnits(): Promise<void> {
    if (!results.value) return
    const u = await surveyApi.units(results.value.survey.id, unitsNext.value)
    units.value = [...units.value, ...u.items]
    unitsNext.value = u.next
  }
  /** A need the members named becomes an item of next month's plan, for the secretary to fill in. */
  async function planNeed(title: string, note: string): Promise<PlanItem> {
    const survey = results.value!.survey
    return plansApi.add({ id: uuidv7(), orgUnitId: survey.orgUnitId, ...nextMonth(), kind: 'course', title: title.slice(0, 200), note: note.slice(0, 1000) })
  }

  return { surveys, next, results, units, unitsNext, load, create, open, moreUnits, planNeed }
})
