/**
 * Evaluation figures for the party school and supervisors (supervisor or above over the unit):
 * ratings by members of the unit's subtree, per course and per lecturer, and comments without
 * names. Ratings themselves arrive as the push kind `evaluation` (offline).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, PageQuery } from '../../../src/protocol/common.ts'
import { EvaluationComments, EvaluationSummaries } from '../../../src/protocol/evaluation.ts'
import type { Database } from '../../db/database.ts'
import { authorizeOrgUnit, requireAuth } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { decodeCursor } from '../org/org.repository.ts'
import { evaluationComments, evaluationSummaries } from './evaluation.repository.ts'

const By = Type.Union([Type.Literal('course'), Type.Literal('lecturer')])
const Unit = { orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) }
const badCursor = () => new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')

export const evaluationRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/evaluations',
    {
      schema: {
        tags: ['evaluation'],
        description: 'Ratings by members of the unit’s subtree, per course or per lecturer: count, mean, distribution (supervisor or above).',
        querystring: Type.Object({ ...Unit, by: By, ...PageQuery.properties }),
        response: { 200: EvaluationSummaries, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'supervisor')
      const cursor = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor)
      if (request.query.cursor !== undefined && !cursor) throw badCursor()
      return evaluationSummaries(db, path, request.query.by, request.query.limit ?? 50, cursor?.[0])
    },
  )

  app.get(
    '/api/v1/evaluations/comments',
    {
      schema: {
        tags: ['evaluation'],
        description: 'Comments on a course or about a lecturer, newest first, without names (supervisor or above).',
        querystring: Type.Object({ ...Unit, by: By, id: Type.String({ minLength: 1, maxLength: 64 }), ...PageQuery.properties }),
        response: { 200: EvaluationComments, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'supervisor')
      let after: [number, string] | undefined
      if (request.query.cursor !== undefined) {
        const c = decodeCursor(request.query.cursor)
        if (!c || !Number.isFinite(Number(c[0]))) throw badCursor()
        after = [Number(c[0]), c[1]]
      }
      return evaluationComments(db, path, request.query.by, request.query.id, request.query.limit ?? 50, after)
    },
  )
}
