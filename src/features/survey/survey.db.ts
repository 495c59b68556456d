/**
 * Surveys on the phone (docs/surveys.md). The list is read online and kept, so an open survey
 * can be answered with no signal. The draft is saved at every change; submitting marks it sent
 * and queues its `survey_answer` record in ONE transaction, so a reload or a killed tab finds it
 * sent and queued.
 */
import { db, type SurveyAnswerRow } from '@/db/db.ts'
import type { MySurvey, SurveyAnswer, SurveyAnswerPayload } from '@/protocol/survey.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'

/** An answer worth sending: a choice made, a rating given, or some text written. */
export const isAnswered = (a: SurveyAnswer | undefined) => !!a && ((a.choices?.length ?? 0) > 0 || a.rating !== undefined || !!a.comment?.trim())

export const surveyDb = {
  /** The server's list replaces the kept one (it is the member's whole current list). */
  async saveSurveys(items: MySurvey[]): Promise<void> {
    await db.transaction('rw', db.surveys, async () => {
      await db.surveys.clear()
      await db.surveys.bulkPut(items)
    })
  },
  surveys: async () => (await db.surveys.toArray()).sort((a, b) => a.closesAt - b.closesAt),
  answers: () => db.surveyAnswers.toArray(),
  /** Surveys whose answer is still in the outbox, waiting for a connection. */
  queued: async () => (await db.outbox.where('kind').equals('survey_answer').toArray()).map((r) => (r.payload as SurveyAnswerPayload).surveyId),

  /** Saves one question's answer into the draft (a sent answer reopens as a draft to change). */
  async saveAnswer(surveyId: string, answer: SurveyAnswer): Promise<void> {
    await db.transaction('rw', db.surveyAnswers, async () => {
      const row: SurveyAnswerRow = (await db.surveyAnswers.get(surveyId)) ?? { surveyId, state: 'draft', answers: {}, sentAt: null }
      await db.surveyAnswers.put({ ...row, state: 'draft', answers: { ...row.answers, [answer.questionId]: { ...answer, choices: answer.choices ? [...answer.choices] : undefined } } })
    })
  },

  /** Marks the answer sent and queues it, in one transaction; blank questions are left out. */
  async submit(surveyId: string, now = Date.now()): Promise<void> {
    await db.transaction('rw', [db.surveyAnswers, db.outbox], async () => {
      const row = await db.surveyAnswers.get(surveyId)
      if (!row || row.state === 'sent') return
      await db.surveyAnswers.put({ ...row, state: 'sent', sentAt: now })
      const answers = Object.values(row.answers)
        .filter(isAnswered)
        .map((a) => (a.comment !== undefined ? { questionId: a.questionId, comment: a.comment.trim() } : a))
      await enqueue(db, 'survey_answer', { answerId: uuidv7(), surveyId, answers })
    })
  },
}
