import type { MySurveys, SurveyCreate, SurveyResults, SurveySummary, SurveyUnitRates } from '@/protocol/survey.ts'
import { api } from '@/shared/http.ts'

const q = encodeURIComponent
const page = (cursor: string | null | undefined) => (cursor ? `&cursor=${q(cursor)}` : '')

/** Surveys: members read theirs online (then answer offline); leaders send and read them online. */
export const surveyApi = {
  mine: () => api<MySurveys>('GET', '/v1/surveys/mine'),
  list: (orgUnitId: string, cursor?: string | null) =>
    api<{ items: SurveySummary[]; next: string | null }>('GET', `/v1/surveys?orgUnitId=${q(orgUnitId)}&limit=20${page(cursor)}`),
  create: (body: SurveyCreate) => api<SurveySummary>('POST', '/v1/surveys', body),
  results: (id: string) => api<SurveyResults>('GET', `/v1/surveys/${q(id)}/results`),
  units: (id: string, cursor?: string | null) => api<SurveyUnitRates>('GET', `/v1/surveys/${q(id)}/units?limit=50${page(cursor)}`),
}
