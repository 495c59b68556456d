/**
 * Assignments over REST: secretaries (and above) create, list and cancel them for their
 * subtree; group leaders and up read the leaders' list of results. Phones get the assignments
 * that apply to them through the pull, not from here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import {
  AssignmentCreate,
  AssignmentListQuery,
  AssignmentResults,
  AssignmentResultsQuery,
  AssignmentView,
} from '../../../src/protocol/assignment.ts'
import { errorResponses, IdParams, Page } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { refreshAssignedCourses } from '../reports/reportStats.repository.ts'
import {
  assignmentResults,
  assignmentView,
  cancelAssignment,
  contentVisibleIn,
  countPeopleUnder,
  decodeCursor,
  findAssignment,
  insertAssignment,
  peopleReachedByCourse,
  listAssignments,
} from './assignment.repository.ts'

const invalid = (field: string, message: string) => new ApiError(400, 'VALIDATION', `${field} ${message}`, field)

function pageCursor(cursor: string | undefined): [string, string] | undefined {
  if (cursor === undefined) return undefined
  const after = decodeCursor(cursor)
  if (!after) throw invalid('querystring.cursor', 'is not a cursor this server gave')
  return after
}

export const assignmentRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.post(
    '/api/v1/assignments',
    {
      schema: {
        tags: ['assignments'],
        description: 'Assign a course or quiz to a unit (optionally one member group) or to named people under it. Idempotent by `id`.',
        body: AssignmentCreate,
        response: { 201: AssignmentView, 200: AssignmentView, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const body = request.body
      const now = Date.now()
      const path = await authorizeOrgUnit(db, auth, body.orgUnitId, 'secretary')
      const existing = await findAssignment(db, body.id)
      if (existing) {
        // A create retried after a lost answer: the same person's same assignment is a success.
        const same = existing.created_by === auth.personId && (existing.quiz_id ?? existing.course_id) === body.contentId
        if (!same) throw new ApiError(409, 'CONFLICT', 'An assignment with this id already exists.', 'body.id')
        return (await assignmentView(db, body.id, () => true))!
      }
      if (body.personIds && body.memberGroup) throw invalid('body.memberGroup', 'cannot be combined with named people')
      if (body.dueAt <= now) throw invalid('body.dueAt', 'must be in the future')
      if (!(await contentVisibleIn(db, body.contentKind, body.contentId, path))) {
        throw invalid('body.contentId', `is not a ${body.contentKind} available in this unit`)
      }
      if (body.personIds && (await countPeopleUnder(db, body.personIds, path)) !== body.personIds.length) {
        throw invalid('body.personIds', 'must all be active people under the unit')
      }
      await db.transaction().execute(async (trx) => {
        await insertAssignment(trx, body, auth.personId, now)
        await refreshAssignedCourses(trx, await peopleReachedByCourse(trx, body.id), now)
        await writeAudit(trx, auth, 'assignment.create', body.id, body, now, path)
      })
      reply.status(201)
      return (await assignmentView(db, body.id, () => true))!
    },
  )

  app.get(
    '/api/v1/assignments',
    {
      schema: {
        tags: ['assignments'],
        description: 'Live assignments set on the unit, below it, or above it (what its members were given), newest first.',
        querystring: AssignmentListQuery,
        response: { 200: Page(AssignmentView), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, cursor, limit = 50 } = request.query
      const auth = requireAuth(request)
      const path = await authorizeOrgUnit(db, auth, orgUnitId, 'group_leader')
      const grants = await grantsOf(db, auth.personId)
      return listAssignments(db, path, limit, pageCursor(cursor), (unitPath) => allows(grants, unitPath, 'secretary'))
    },
  )

  app.delete(
    '/api/v1/assignments/:id',
    {
      schema: {
        tags: ['assignments'],
        description: 'Cancel: phones drop it on their next pull. Cancelling again changes nothing.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const a = await findAssignment(db, request.params.id)
      if (!a) throw notFound('Assignment')
      if (!allows(await grantsOf(db, auth.personId), a.unit_path, 'secretary')) throw forbidden()
      if (a.deleted_at === null) {
        await db.transaction().execute(async (trx) => {
          const now = Date.now()
          await cancelAssignment(trx, a.id, now)
          await refreshAssignedCourses(trx, await peopleReachedByCourse(trx, a.id), now)
          await writeAudit(trx, auth, 'assignment.cancel', a.id, {}, now, a.unit_path)
        })
      }
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/assignments/:id/results',
    {
      schema: {
        tags: ['assignments'],
        description:
          'The leaders’ list: the targeted people under orgUnitId (one of the viewer’s units), with the latest quiz ' +
          'attempt and retraining flag, or lessons completed of a course; and totals over all of them.',
        params: IdParams,
        querystring: AssignmentResultsQuery,
        response: { 200: AssignmentResults, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, cursor, limit = 50 } = request.query
      const viewPath = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      const a = await findAssignment(db, request.params.id)
      if (!a || a.deleted_at !== null) throw notFound('Assignment')
      // The viewer's unit and the assignment's must overlap; the list covers the deeper one.
      const path = viewPath.startsWith(a.unit_path) ? viewPath : a.unit_path.startsWith(viewPath) ? a.unit_path : undefined
      if (!path) throw forbidden()
      const results = await assignmentResults(db, a, path, limit, pageCursor(cursor))
      return { assignment: (await assignmentView(db, a.id))!, ...results }
    },
  )
}
