/**
 * Read routes for study reflections 晒心得. Writes (post, reply, like, leaders' review) go through
 * the push outbox, so they work offline. Feeds are read here, page by page, rather than through
 * the content pull: the server decides per reader what a page holds, so a hidden reflection is
 * never sent to anyone but its author and the group's leaders.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import { FeedPage, FeedQuery, StatsPage, StatsQuery } from '../../../src/protocol/reflections.ts'
import type { Database } from '../../db/database.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth, type Grant } from '../../shared/authz.ts'
import { forbidden, notFound } from '../../shared/errors.ts'
import { branchOf, canSee, feedPage, findReflections, findUnit, groupStats, readsBranch, reflectionPhotos, unitOfPerson } from './reflections.repository.ts'

export const reflectionRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/reflections',
    {
      schema: {
        tags: ['reflections'],
        description:
          'A page of a reflection feed, newest first: `scope=group` (default) is one party group (its members and leaders ' +
          'above may read it; hidden reflections only for their author and those leaders), `scope=excellent` the ' +
          'reflections marked excellent in the branch of that group. `orgUnitId` defaults to the reader’s own group.',
        querystring: FeedQuery,
        response: { 200: FeedPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { scope = 'group', cursor, limit = 20 } = request.query
      const own = await unitOfPerson(db, auth.personId)
      const unit = request.query.orgUnitId ? await findUnit(db, request.query.orgUnitId) : own
      if (!unit) throw notFound('Organisation unit')
      const grants = await grantsOf(db, auth.personId)
      const viewer = { personId: auth.personId, grants }
      if (scope === 'excellent') {
        const branchId = branchOf(unit)
        const branch = branchId === unit.id ? unit : await findUnit(db, branchId)
        if (!branch || !readsBranch(own?.path, grants, branch.path)) throw forbidden()
        return feedPage(db, viewer, { branchId }, cursor, limit)
      }
      const leads = allows(grants, unit.path, 'group_leader')
      if (unit.id !== own?.id && !leads) throw forbidden()
      return feedPage(db, viewer, { groupId: unit.id, withHidden: leads }, cursor, limit)
    },
  )

  app.get(
    '/api/v1/reflections/:id/photos',
    {
      schema: {
        tags: ['reflections'],
        description: 'The photos of one reflection (base64 JPEG, EXIF-free), for whoever may read it; cached on the phone for offline reading.',
        params: IdParams,
        response: { 200: Type.Object({ photos: Type.Array(Type.String()) }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const ref = (await findReflections(db, [request.params.id])).get(request.params.id)
      if (!ref) throw notFound('Reflection')
      const own = await unitOfPerson(db, auth.personId)
      const viewer = { personId: auth.personId, unitId: own?.id, grants: await grantsOf(db, auth.personId) }
      if (!canSee(ref, viewer) && !(ref.status === 'excellent' && (await readsBranchOf(db, ref.org_unit_id, own?.path, viewer.grants)))) throw forbidden()
      reply.header('cache-control', 'private, no-store')
      return { photos: await reflectionPhotos(db, ref.id) }
    },
  )

  app.get(
    '/api/v1/reflections/stats',
    {
      schema: {
        tags: ['reflections'],
        description:
          'Reflections per party group in a unit’s subtree for one month (China time): posts, authors, excellent, hidden. ' +
          'For branch secretaries and supervisors; paged by group (`cursor` from `next`).',
        querystring: StatsQuery,
        response: { 200: StatsPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, month, cursor } = request.query
      const path = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'secretary')
      return { month, ...(await groupStats(db, path, month, cursor)) }
    },
  )
}

/** An excellent reflection is shown to the whole branch of its group, photos included. */
async function readsBranchOf(db: Kysely<Database>, groupId: string, ownPath: string | undefined, grants: Grant[]): Promise<boolean> {
  const group = await findUnit(db, groupId)
  const branch = group && (await findUnit(db, branchOf(group)))
  return !!branch && readsBranch(ownPath, grants, branch.path)
}
