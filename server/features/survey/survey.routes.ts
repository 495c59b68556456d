/**
 * Training-needs surveys 需求调研: leaders send them and read their results; members read the
 * surveys addressed to them. Answers are a push kind (`survey_answer`), so they work offline.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, IdParams, PageQuery } from '../../../src/protocol/common.ts'
import { MySurveys, SurveyCreate, SurveyResults, SurveySummary, SurveyUnitRates } from '../../../src/protocol/survey.ts'
import type { Database } from '../../db/database.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { writeAudit } from '../../shared/audit.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { createSurvey, decodeCursor, findSurvey, mySurveys, summaryOf, surveyResults, surveysInSubtree, unitRates } from './survey.repository.ts'

function cursorOf(cursor: string | undefined): [string, string] | undefined {
  if (cursor === undefined) return undefined
  const decoded = decodeCursor(cursor)
  if (!decoded) throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
  return decoded
}

/** `clock`: the server's time, which alone decides whether a window has opened or closed. */
export const surveyRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; clock?: () => number }> = async (app, { db, clock = Date.now }) => {
  /** The survey, if the signed-in person is a secretary or above over its unit. */
  async function leadersSurvey(auth: AuthContext, id: string) {
    const survey = await findSurvey(db, id)
    if (!survey) throw notFound('Survey')
    if (!allows(await grantsOf(db, auth.personId), survey.unit_path, 'secretary')) throw forbidden()
    return survey
  }

  app.post(
    '/api/v1/surveys',
    {
      schema: {
        tags: ['survey'],
        description: 'Send a training-needs questionnaire to a unit or one member group of it (secretary or above over the unit).',
        body: SurveyCreate,
        response: { 201: SurveySummary, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const path = await authorizeOrgUnit(db, auth, request.body.orgUnitId, 'secretary')
      const survey = await db.transaction().execute(async (trx) => {
        const created = await createSurvey(trx, auth.personId, request.body, clock())
        await writeAudit(trx, auth, 'survey.create', created.id, { title: created.title, orgUnitId: created.org_unit_id }, clock(), path)
        return created
      })
      return reply.code(201).send(summaryOf(survey))
    },
  )

  app.get(
    '/api/v1/surveys',
    {
      schema: {
        tags: ['survey'],
        description: 'Surveys sent to a unit or below, latest closing first (secretary or above).',
        querystring: Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }), ...PageQuery.properties }),
        response: { 200: Type.Object({ items: Type.Array(SurveySummary), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'secretary')
      return surveysInSubtree(db, path, request.query.limit ?? 50, cursorOf(request.query.cursor))
    },
  )

  app.get(
    '/api/v1/surveys/:id/results',
    {
      schema: {
        tags: ['survey'],
        description: 'Counts per question, split by member group; an anonymous survey hides every figure under 5 people and every name.',
        params: IdParams,
        response: { 200: SurveyResults, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => surveyResults(db, await leadersSurvey(requireAuth(request), request.params.id), clock()),
  )

  app.get(
    '/api/v1/surveys/:id/units',
    {
      schema: {
        tags: ['survey'],
        description: 'Response rate per unit with addressed members, in tree order, one page.',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: SurveyUnitRates, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const survey = await leadersSurvey(requireAuth(request), request.params.id)
      return unitRates(db, survey, clock(), request.query.limit ?? 50, cursorOf(request.query.cursor)?.[0])
    },
  )

  app.get(
    '/api/v1/surveys/mine',
    {
      schema: {
        tags: ['survey'],
        description: 'The open (and lately closed) surveys addressed to the signed-in member, with when their answer was stored.',
        response: { 200: MySurveys, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const now = clock()
      reply.header('cache-control', 'private, no-store')
      return { items: await mySurveys(db, requireAuth(request).personId, now), serverNow: now }
    },
  )
}
