import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { AuditEntry, AuditQuery } from '../../../src/protocol/admin.ts'
import { errorResponses, IdParams, Page } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { attachment, toCsv, type CsvCell } from '../archive/csv.ts'
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
      return listAudit(db, unit.path, { actorId, action, limit, before, includeUnfiled: unit.parent_id === null })
    },
  )

  app.get(
    '/api/v1/admin/units/:id/audit/export.csv',
    {
      schema: {
        tags: ['admin'],
        description: 'The whole audit log of a subtree as CSV (UTF-8 with BOM), newest first; needs a recent sign-in. Itself audited.',
        params: IdParams,
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const actor = await actorOf(db, auth)
      const unit = await actor.unit(request.params.id, 'supervisor')
      requireRecentSignIn(auth)
      const rows: CsvCell[][] = [['id', 'time (UTC)', 'actor id', 'actor', 'action', 'target', 'detail', 'device']]
      const filter = { limit: 1000, includeUnfiled: unit.parent_id === null }
      for (let before: number | undefined, next: string | null = ''; next !== null; before = Number(next)) {
        const page = await listAudit(db, unit.path, { ...filter, before })
        for (const e of page.items) rows.push([e.id, new Date(e.at).toISOString(), e.actorId, e.actorName, e.action, e.target, e.detail, e.device])
        next = page.next
      }
      await writeAudit(db, auth, 'audit.export', unit.id, { name: unit.name, entries: rows.length - 1 }, Date.now(), unit.path)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(`操作日志-${unit.name}.csv`))
        .header('cache-control', 'no-store')
        .send(toCsv(rows))
    },
  )
}
