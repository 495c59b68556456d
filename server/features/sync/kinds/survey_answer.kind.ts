/**
 * `survey_answer`: a member's answers to a training-needs survey, usually made offline
 * (docs/surveys.md). Judged by the server: the survey must be addressed to this person (their
 * unit or one above it, and its member group), the window by the record's server-bounded `at`,
 * and every answer against the survey's questions. Ratings 1–5 and texts ≤ 200 characters are
 * the payload schema's bounds, refused by the push route with the field named.
 * One answer per (survey, person): a later one replaces the earlier (a member may change their
 * mind while the survey is open); an older one arriving late changes nothing.
 */
import { ageBandOf, optionId, SurveyAnswerPayload, type SurveyAnswer, type SurveyQuestion } from '../../../../src/protocol/survey.ts'
import type { Insertable } from 'kysely'
import type { SurveyAnswerItemTable } from '../../../db/database.ts'
import { memberGroupsOf } from '../../assignment/assignment.repository.ts'
import { addressedTo, questionsOf, type SurveyRow } from '../../survey/survey.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

/** China time: the year a person's age band is judged in. */
const yearOf = (ms: number) => new Date(ms + 8 * 3_600_000).getUTCFullYear()

const mismatch = (message: string, field: string): Refusal => ({ code: 'SURVEY_ANSWER', message, field })

/** Why one answer does not fit its question, or null. */
function answerError(q: SurveyQuestion, a: SurveyAnswer, field: string): Refusal | null {
  const given = [a.choices !== undefined && 'choices', a.rating !== undefined && 'rating', a.comment !== undefined && 'comment'].filter(Boolean)
  const expected = q.type === 'rating' ? 'rating' : q.type === 'text' ? 'comment' : 'choices'
  if (given.length !== 1 || given[0] !== expected) return mismatch(`Question "${q.id}" is answered with ${expected} only.`, `${field}.${expected}`)
  if (!a.choices) return null
  if (q.type === 'single' && a.choices.length !== 1) return mismatch(`Question "${q.id}" takes one choice.`, `${field}.choices`)
  if (new Set(a.choices).size !== a.choices.length) return mismatch(`Question "${q.id}" has a choice twice.`, `${field}.choices`)
  const known = new Set(q.options.map((_, i) => optionId(i)))
  const stranger = a.choices.find((c) => !known.has(c))
  return stranger === undefined ? null : mismatch(`Option "${stranger}" is not in question "${q.id}".`, `${field}.choices`)
}

/** The surveys of a batch, read in authorize for apply in the same transaction. */
const surveysOf = new WeakMap<KindContext, Map<string, SurveyRow>>()

export const surveyAnswer = defineKind({
  kind: 'survey_answer',
  payload: SurveyAnswerPayload,
  async authorize(ctx, records) {
    const ids = [...new Set(records.map((r) => r.payload.surveyId))]
    const surveys = new Map((await ctx.trx.selectFrom('survey').selectAll().where('id', 'in', ids).execute()).map((s) => [s.id, s]))
    surveysOf.set(ctx, surveys)
    const person = await ctx.trx
      .selectFrom('person')
      .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
      .select(['org_unit.path', 'person.is_flowing', 'person.is_elderly', 'person.is_committee', 'person.joined_party_at'])
      .where('person.id', '=', ctx.auth.personId)
      .executeTakeFirst()
    const units = new Set(person ? person.path.split('/').filter(Boolean) : [])
    const groups = person ? memberGroupsOf(person, ctx.receivedAt) : []

    return records.map((r): Refusal | null => {
      const p = r.payload
      const survey = surveys.get(p.surveyId)
      if (!survey) return { code: 'INVALID_PAYLOAD', message: `Survey "${p.surveyId}" does not exist.`, field: 'payload.surveyId' }
      if (!addressedTo(survey, units, groups)) return { code: 'FORBIDDEN', message: 'This survey is not addressed to you.', field: 'payload.surveyId' }
      if (r.at < Number(survey.opens_at)) return { code: 'SURVEY_NOT_OPEN', message: 'The survey had not opened yet.', field: 'payload.surveyId' }
      if (r.at > Number(survey.closes_at)) return { code: 'SURVEY_CLOSED', message: 'Answered after the survey closed.', field: 'payload.surveyId' }
      const questions = new Map(questionsOf(survey).map((q) => [q.id, q]))
      const seen = new Set<string>()
      for (const [i, a] of p.answers.entries()) {
        const field = `payload.answers.${i}`
        const q = questions.get(a.questionId)
        if (!q) return mismatch(`Question "${a.questionId}" is not in this survey.`, `${field}.questionId`)
        if (seen.has(q.id)) return mismatch(`Question "${q.id}" is answered twice.`, `${field}.questionId`)
        seen.add(q.id)
        const problem = answerError(q, a, field)
        if (problem) return problem
      }
      return null
    })
  },
  async apply(ctx, records) {
    const surveys = surveysOf.get(ctx)!
    const person = await ctx.trx
      .selectFrom('person')
      .select(['is_flowing', 'is_elderly', 'is_committee', 'joined_party_at', 'occupation', 'birth_year'])
      .where('id', '=', ctx.auth.personId)
      .executeTakeFirstOrThrow()
    const groups = memberGroupsOf(person, ctx.receivedAt)
    const snapshot = {
      age_band: ageBandOf(person.birth_year, yearOf(ctx.receivedAt)),
      is_flowing: person.is_flowing,
      is_elderly: person.is_elderly,
      is_new: groups.includes('new') ? 1 : 0,
      occupation: person.occupation ?? 'unknown',
    }
    for (const r of records) {
      const key = { survey_id: surveys.get(r.payload.surveyId)!.id, person_id: r.personId }
      const stored = await ctx.trx.selectFrom('survey_answer').select('created_at').where('survey_id', '=', key.survey_id).where('person_id', '=', key.person_id).executeTakeFirst()
      // An older answer arriving after a newer one (two phones, a late outbox) changes nothing.
      if (stored && Number(stored.created_at) > r.at) continue
      await ctx.trx.deleteFrom('survey_answer_item').where('survey_id', '=', key.survey_id).where('person_id', '=', key.person_id).execute()
      const row = { ...key, ...snapshot, answer_id: r.payload.answerId, device: r.deviceId, created_at: r.at, received_at: ctx.receivedAt }
      if (stored) await ctx.trx.updateTable('survey_answer').set(row).where('survey_id', '=', key.survey_id).where('person_id', '=', key.person_id).execute()
      else await ctx.trx.insertInto('survey_answer').values(row).execute()
      const items = r.payload.answers.flatMap((a): Omit<Insertable<SurveyAnswerItemTable>, 'item_no'>[] =>
        a.comment !== undefined
          ? [{ ...key, question_id: a.questionId, value: null, text: a.comment.trim() }]
          : (a.choices ?? [String(a.rating)]).map((value) => ({ ...key, question_id: a.questionId, value, text: null })),
      )
      if (items.length) await ctx.trx.insertInto('survey_answer_item').values(items.map((item, i) => ({ ...item, item_no: i }))).execute()
    }
  },
})
