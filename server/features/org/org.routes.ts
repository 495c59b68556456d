import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses, IdParams, Page, PageQuery } from '../../../src/protocol/common.ts'
import { Member, MemberFlagsPatch, OrgUnitWithChildren } from '../../../src/protocol/org.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { authorizeOrgUnit, grantsOf, requireAuth, requireOutranks } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { decodeCursor, findPerson, findUnitWithChildren, listMembersInSubtree, toMember } from './org.repository.ts'
import { refreshAssignedCourses } from '../reports/reportStats.repository.ts'

export const orgRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/org/units/:id',
    { schema: { tags: ['org'], params: IdParams, response: { 200: OrgUnitWithChildren, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      await authorizeOrgUnit(db, requireAuth(request), request.params.id, 'member')
      return findUnitWithChildren(db, request.params.id)
    },
  )

  app.get(
    '/api/v1/org/units/:id/members',
    {
      schema: {
        tags: ['org'],
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Page(Member), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.params.id, 'member')
      const { cursor, limit = 50 } = request.query
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && !after) {
        throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
      }
      return listMembersInSubtree(db, path, limit, after)
    },
  )

  app.patch(
    '/api/v1/people/:id',
    {
      schema: {
        tags: ['org'],
        params: IdParams,
        body: MemberFlagsPatch,
        response: { 200: Member, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const person = await findPerson(db, request.params.id)
      if (!person) throw notFound('Person')
      // Flags steer what a member is asked to do, so only their leaders may set them.
      const path = await authorizeOrgUnit(db, auth, person.org_unit_id, 'group_leader')
      await requireOutranks(db, { personId: auth.personId, grants: await grantsOf(db, auth.personId) }, person.id)
      const { isFlowing, isElderly } = request.body
      const changes = {
        ...(isFlowing === undefined ? {} : { is_flowing: isFlowing ? 1 : 0 }),
        ...(isElderly === undefined ? {} : { is_elderly: isElderly ? 1 : 0 }),
      }
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('person').set(changes).where('id', '=', person.id).execute()
        await refreshAssignedCourses(trx, [person.id])
        await writeAudit(trx, auth, 'person.flags', person.id, request.body, Date.now(), path)
      })
      return toMember({ ...person, ...changes })
    },
  )
}
