import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { AuditEntry, AuditQuery } from '../../../src/protocol/admin.ts'
import { errorResponses, IdParams, Page } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { actorOf } from './access.ts'
import { listAudit } from './audit.repository.ts'

/** The audit log of a subtree 操作日志, for its supervisors. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/admin/units/:id/audit',
    { schema: { tags: ['admin'], params: IdParams, querystring: AuditQuery, response: { 200: Page(AuditEntry), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'supervisor')
      const { actorId, action, cursor, limit = 50 } = request.query
      const before = cursor === undefined ? undefined : Number(cursor)
      if (before !== undefined && !Number.isSafeInteger(before)) {
        throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
      }
      return listAudit(db, unit.path, { actorId, action, limit, before })
    },
  )
}
