import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses } from '../../../src/protocol/common.ts'
import { PULL_PAGE_MAX, PullQuery, PullResponse } from '../../../src/protocol/content.ts'
import type { Database } from '../../db/database.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { countPullPage } from '../../shared/metrics.ts'
import { decodePullCursor } from './pull.cursor.ts'
import { pullTouchDue, readPullPage, recordPull } from './pull.repository.ts'

/** `clock`: the server's time (tests move it past the new-member year); Date.now by default. */
export const pullRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; clock?: () => number }> = async (app, { db, clock = Date.now }) => {
  app.get(
    '/api/v1/sync/pull',
    {
      schema: {
        tags: ['sync'],
        querystring: PullQuery,
        response: { 200: PullResponse, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const cursor = decodePullCursor(request.query.since)
      if (cursor === undefined) {
        throw new ApiError(400, 'VALIDATION', 'querystring.since is not a cursor this server gave', 'querystring.since')
      }
      const deviceId = request.query.deviceId
      const { page, deviceSeenAt } = await readPullPage(db, auth.personId, cursor, request.query.limit ?? PULL_PAGE_MAX, clock(), deviceId)
      countPullPage(page.changes.length)
      // Outside the read transaction, and only now and then: a pull that finds nothing writes nothing.
      const now = Date.now()
      if (deviceId && pullTouchDue(deviceSeenAt, now)) await recordPull(db, auth.personId, deviceId, now)
      // Personal (scoped by org) and changing: no shared cache may keep it, the phone stores it in Dexie.
      reply.header('cache-control', 'private, no-store')
      return page
    },
  )
}
