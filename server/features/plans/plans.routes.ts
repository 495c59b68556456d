/**
 * Annual study plans (secretaries and above, for their subtree; every change audited) and the
 * monthly report of a unit with its CSV export (audited).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import { MonthlyReport, MonthQuery, PlanItem, PlanItemCreate, PlanItemPatch, PlanQuery } from '../../../src/protocol/plans.ts'
import type { Database } from '../../db/database.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { writeAudit } from '../../shared/audit.ts'
import { authorizeOrgUnit, requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { attachment } from '../archive/csv.ts'
import { parseMonth } from './months.ts'
import { countItems, deletePlanItem, findPlanItem, insertPlanItem, MAX_ITEMS_PER_YEAR, planForUnit, toPlanItem, updatePlanItem } from './plans.repository.ts'
import { monthlyReportCsv } from './report.csv.ts'
import { monthFigures } from './report.repository.ts'

export const plansRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/plans',
    {
      schema: {
        tags: ['plans'],
        description: 'A unit’s annual plan: its own items and those inherited from the units above it, by month.',
        querystring: PlanQuery,
        response: { 200: Type.Object({ items: Type.Array(PlanItem) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, year } = request.query
      const path = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'secretary')
      return { items: await planForUnit(db, orgUnitId, path, year) }
    },
  )

  app.post(
    '/api/v1/plans/items',
    {
      schema: {
        tags: ['plans'],
        description:
          'Adds an item to a unit’s plan; units below inherit it. The id is made by the client: a retried ' +
          'request answers the item already added (200) instead of adding it twice.',
        body: PlanItemCreate,
        response: { 200: PlanItem, 201: PlanItem, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const body = request.body
      await authorizeOrgUnit(db, auth, body.orgUnitId, 'secretary')
      if (body.kind === 'meeting' && !body.meetingType) throw new ApiError(400, 'VALIDATION', 'body.meetingType is required for a meeting', 'body.meetingType')
      const existing = await findPlanItem(db, body.id)
      if (existing) {
        if (existing.org_unit_id !== body.orgUnitId || existing.created_by !== auth.personId) throw new ApiError(409, 'CONFLICT', 'Another plan item already has this id.')
        return reply.status(200).send(toPlanItem(existing, body.orgUnitId))
      }
      if ((await countItems(db, body.orgUnitId, body.year)) >= MAX_ITEMS_PER_YEAR) {
        throw new ApiError(409, 'PLAN_FULL', `A plan holds at most ${MAX_ITEMS_PER_YEAR} items a year.`)
      }
      await db.transaction().execute(async (trx) => {
        await insertPlanItem(trx, body, auth.personId, Date.now())
        await writeAudit(trx, auth, 'plan.item.add', body.id, body)
      })
      return reply.status(201).send(toPlanItem((await findPlanItem(db, body.id))!, body.orgUnitId))
    },
  )

  /** The item, if the signed-in person is a secretary or above over its publishing unit. */
  async function editableItem(auth: AuthContext, id: string) {
    const item = await findPlanItem(db, id)
    if (!item) throw notFound('Plan item')
    await authorizeOrgUnit(db, auth, item.org_unit_id, 'secretary')
    return item
  }

  app.patch(
    '/api/v1/plans/items/:id',
    {
      schema: {
        tags: ['plans'],
        description: 'Changes an item’s month, title or note (only in the unit that published it).',
        params: IdParams,
        body: PlanItemPatch,
        response: { 200: PlanItem, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const item = await editableItem(auth, request.params.id)
      await db.transaction().execute(async (trx) => {
        await updatePlanItem(trx, item, request.body, Date.now())
        await writeAudit(trx, auth, 'plan.item.change', item.id, request.body)
      })
      return toPlanItem((await findPlanItem(db, item.id))!, item.org_unit_id)
    },
  )

  app.delete(
    '/api/v1/plans/items/:id',
    {
      schema: {
        tags: ['plans'],
        description: 'Removes an item from the plan of the unit that published it.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const item = await editableItem(auth, request.params.id)
      await db.transaction().execute(async (trx) => {
        await deletePlanItem(trx, item.id)
        await writeAudit(trx, auth, 'plan.item.remove', item.id, { orgUnitId: item.org_unit_id, title: item.title, year: item.year, month: item.month })
      })
      return reply.status(204).send(null)
    },
  )

  async function report(auth: AuthContext, orgUnitId: string, label: string): Promise<MonthlyReport> {
    const path = await authorizeOrgUnit(db, auth, orgUnitId, 'secretary')
    const unit = await db.selectFrom('org_unit').select(['id', 'name']).where('id', '=', orgUnitId).executeTakeFirstOrThrow()
    const month = parseMonth(label)
    const previous = parseMonth(month.previous)
    const [current, before] = await Promise.all([
      monthFigures(db, { id: orgUnitId, path }, month.from, month.to),
      monthFigures(db, { id: orgUnitId, path }, previous.from, previous.to),
    ])
    return { orgUnit: unit, month: label, previousMonth: month.previous, current, previous: before }
  }

  const ReportParams = Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) })

  app.get(
    '/api/v1/monthly-reports/:orgUnitId',
    {
      schema: {
        tags: ['plans'],
        description: 'A unit’s figures for one month (China time) beside the previous month’s; secretaries and above.',
        params: ReportParams,
        querystring: MonthQuery,
        response: { 200: MonthlyReport, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => report(requireAuth(request), request.params.orgUnitId, request.query.month),
  )

  app.get(
    '/api/v1/monthly-reports/:orgUnitId/export.csv',
    {
      schema: {
        tags: ['plans'],
        description: 'The monthly report as CSV (UTF-8 with BOM). Written to the audit log.',
        params: ReportParams,
        querystring: MonthQuery,
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const r = await report(auth, request.params.orgUnitId, request.query.month)
      requireRecentSignIn(auth)
      await writeAudit(db, auth, 'monthly_report.export', r.orgUnit.id, { month: r.month })
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(`月度报告-${r.orgUnit.name}-${r.month}.csv`))
        .header('cache-control', 'no-store')
        .send(monthlyReportCsv(r))
    },
  )
}
