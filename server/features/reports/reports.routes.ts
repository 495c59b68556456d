/**
 * Reports for leaders and supervisors: `GET /api/v1/reports/units/:id` (figures, child units,
 * meetings by type, data freshness) and `GET /api/v1/reports/units/:id/members` (paged). Both
 * answer only inside the viewer's subtree (group leaders see their group, secretaries their
 * branch, supervisors their township or district).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import { MemberReportPage, MemberReportQuery, UnitReport, UnitReportQuery } from '../../../src/protocol/reports.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { allows, grantsOf, requireAuth, type Grant } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { chinaYear, yearRange } from '../plans/months.ts'
import { reportsAsOf } from './reportFold.ts'
import { ancestorsOf, behindBefore, memberReports, sortChildren, unitReport, type MemberCursor } from './reports.repository.ts'

const MIN_ROLE = 'group_leader'

async function authorize(db: Kysely<Database>, auth: AuthContext, id: string): Promise<{ unit: OrgUnitRow; grants: Grant[] }> {
  const [unit, grants] = await Promise.all([
    db.selectFrom('org_unit').selectAll().where('id', '=', id).executeTakeFirst(),
    grantsOf(db, auth.personId),
  ])
  if (!unit) throw notFound('Organisation unit')
  if (!allows(grants, unit.path, MIN_ROLE)) throw forbidden()
  return { unit, grants }
}

const encodeCursor = (c: MemberCursor) => Buffer.from(JSON.stringify([c.name, c.id])).toString('base64url')
function decodeCursor(s: string): MemberCursor {
  try {
    const [name, id] = JSON.parse(Buffer.from(s, 'base64url').toString()) as unknown[]
    if (typeof name === 'string' && typeof id === 'string') return { name, id }
  } catch {
    // falls through to the 400 below
  }
  throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/reports/units/:id',
    {
      schema: {
        tags: ['reports'],
        description:
          'One unit’s figures (assigned-course completion, quiz pass rate, attendance, members behind, meetings held, ' +
          'pending flowing records, data freshness) and the same per child unit, one page of them in the order asked for.',
        params: IdParams,
        querystring: UnitReportQuery,
        response: { 200: UnitReport, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { unit, grants } = await authorize(db, requireAuth(request), request.params.id)
      const q = request.query
      const now = Date.now()
      const weeks = q.weeks ?? 4
      const year = q.year ?? chinaYear(now)
      // Read before the figures: a fold committing in between only makes them newer than said.
      const asOf = await reportsAsOf(db, now)
      const [report, ancestors] = await Promise.all([
        unitReport(db, unit, { behindBefore: behindBefore(now, weeks), year }),
        ancestorsOf(db, unit),
      ])
      const offset = q.offset ?? 0
      const sorted = sortChildren(report.children, q.sort ?? 'name', q.order ?? (q.sort && q.sort !== 'name' ? 'desc' : 'asc'))
      reply.header('cache-control', 'private, no-store')
      return {
        unit: { id: unit.id, name: unit.name, kind: unit.kind },
        trail: ancestors.filter((a) => allows(grants, a.path, MIN_ROLE)).map(({ id, name, kind }) => ({ id, name, kind })),
        year,
        since: yearRange(year)[0],
        weeks,
        generatedAt: now,
        asOf,
        figures: report.figures,
        freshness: report.freshness,
        meetingsByType: report.meetingsByType,
        children: sorted.slice(offset, offset + (q.limit ?? 50)),
        childCount: sorted.length,
      }
    },
  )

  app.get(
    '/api/v1/reports/units/:id/members',
    {
      schema: {
        tags: ['reports'],
        description: 'Members of the unit’s subtree in name order with their figures; `behindOnly` lists those with no study for `weeks` weeks.',
        params: IdParams,
        querystring: MemberReportQuery,
        response: { 200: MemberReportPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { unit } = await authorize(db, requireAuth(request), request.params.id)
      const q = request.query
      const now = Date.now()
      const asOf = await reportsAsOf(db, now)
      const page = await memberReports(db, unit, behindBefore(now, q.weeks ?? 4), {
        behindOnly: q.behindOnly ?? false,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit ?? 50,
      })
      reply.header('cache-control', 'private, no-store')
      return { items: page.items, next: page.more && page.last ? encodeCursor(page.last) : null, asOf }
    },
  )
}
