import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DeadLetterRecord, SurveyAnswerRow } from '@/db/db.ts'
import type { MySurvey, SurveyAnswerPayload } from '@/protocol/survey.ts'
import { useSyncStore } from '@/features/sync/sync.store.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { surveyApi } from './survey.api.ts'
import { surveyDb } from './survey.db.ts'

/** Where a survey stands for this member, as the list and the survey page show it. */
export type SurveyState = 'open' | 'draft' | 'waiting' | 'refused' | 'answered' | 'closed'

export const useSurveyStore = defineStore('survey', () => {
  const surveys = liveRef(surveyDb.surveys, [] as MySurvey[])
  const answers = liveRef(surveyDb.answers, [] as SurveyAnswerRow[])
  const queued = liveRef(surveyDb.queued, [] as string[])
  const sync = useSyncStore()
  const loading = ref(false)

  /** Reads the member's surveys online and keeps them for offline; offline, the kept ones stay. */
  async function refresh(): Promise<void> {
    loading.value = true
    try {
      await surveyDb.saveSurveys((await surveyApi.mine()).items)
    } finally {
      loading.value = false
    }
  }

  const answerOf = (surveyId: string) => answers.value.find((a) => a.surveyId === surveyId)
  /** The server's refusal of this survey's latest answer, if any. */
  function refusalOf(surveyId: string): DeadLetterRecord | undefined {
    return sync.refused.find((r) => r.kind === 'survey_answer' && (r.payload as SurveyAnswerPayload).surveyId === surveyId)
  }

  function stateOf(s: MySurvey, now = Date.now()): SurveyState {
    if (queued.value.includes(s.id)) return 'waiting'
    const mine = answerOf(s.id)
    if (s.answeredAt === null && mine?.state === 'sent' && refusalOf(s.id)) return 'refused'
    // The phone's clock only guides the screen; the server judges the window when the answer arrives.
    if (s.closed || now > s.closesAt) return 'closed'
    if (mine?.state === 'draft') return 'draft'
    return s.answeredAt !== null || mine?.state === 'sent' ? 'answered' : 'open'
  }

  const cards = computed(() => surveys.value.map((survey) => ({ survey, state: stateOf(survey) })))
  const openCount = computed(() => cards.value.filter((c) => c.state === 'open' || c.state === 'draft').length)

  return { surveys, answers, loading, refresh, answerOf, refusalOf, stateOf, cards, openCount, save: surveyDb.saveAnswer, submit: surveyDb.submit }
})
