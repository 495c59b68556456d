/**
 * Read routes for flowing members' record cards 一卡. Writes (a record, a leader's review) go
 * through the push outbox (kinds `flowing_record`, `flowing_record_review`), so they work offline.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { FlowingRecord, FlowingStatusSchema } from '../../../src/protocol/flowing.ts'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { forbidden, notFound } from '../../shared/errors.ts'
import { flowingRecordsInSubtree, myFlowingRecords, recentlyReviewedInSubtree } from './flowing.repository.ts'

export const flowingRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/flowing-records/me',
    {
      schema: {
        tags: ['flowing'],
        description:
          'The signed-in member’s record card: every record with its review status, and how many were confirmed ' +
          '(confirmed records count as organisational life attended, like meetings).',
        response: {
          200: Type.Object({ items: Type.Array(FlowingRecord), confirmedCount: Type.Integer() }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const items = await myFlowingRecords(db, requireAuth(request).personId)
      return { items, confirmedCount: items.filter((r) => r.status === 'confirmed').length }
    },
  )

  app.get(
    '/api/v1/flowing-records',
    {
      schema: {
        tags: ['flowing'],
        description: 'Records of members in a unit’s subtree with one status (default pending), oldest first; for its leaders.',
        querystring: Type.Object({
          orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
          status: Type.Optional(FlowingStatusSchema),
        }),
        response: { 200: Type.Object({ items: Type.Array(FlowingRecord) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'group_leader')
      return { items: await flowingRecordsInSubtree(db, path, request.query.status ?? 'pending') }
    },
  )

  app.get(
    '/api/v1/flowing-records/reviewed',
    {
      schema: {
        tags: ['flowing'],
        description:
          'The 30 most recently reviewed records of members in a unit’s subtree, newest first, each with its full review ' +
          'history (overruled reviews included); for its leaders.',
        querystring: Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ items: Type.Array(FlowingRecord) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'group_leader')
      return { items: await recentlyReviewedInSubtree(db, path) }
    },
  )

  app.get(
    '/api/v1/flowing-records/:id/photo',
    {
      schema: {
        tags: ['flowing'],
        description: 'The photo of one record (JPEG), for the member and the leaders of their group.',
        params: IdParams,
        response: { 200: Type.Unknown({ description: 'image/jpeg bytes' }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const rec = await db
        .selectFrom('flowing_record')
        .innerJoin('person', 'person.id', 'flowing_record.person_id')
        .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
        .select(['flowing_record.person_id', 'flowing_record.photo', 'org_unit.path'])
        .where('flowing_record.id', '=', request.params.id)
        .executeTakeFirst()
      if (!rec?.photo) throw notFound('Photo')
      if (rec.person_id !== auth.personId && !allows(await grantsOf(db, auth.personId), rec.path, 'group_leader')) throw forbidden()
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400').send(Buffer.from(rec.photo, 'base64'))
    },
  )
}
