/**
 * The leaders' overview routes: group leaders, secretaries and supervisors read the numbers of a
 * unit inside their own subtree (403 elsewhere). Lists are keyset-paged.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { MeetingRate, MemberRate, OverviewMembersQuery, OverviewQuery, UnitOverview } from '../../../src/protocol/attendanceOverview.ts'
import { errorResponses, Page } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { authorizeOrgUnit, requireAuth } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { decodeCursor } from '../org/org.repository.ts'
import { decodeMeetingCursor } from './attendance.repository.ts'
import { childOverviews, meetingRates, memberRates, periods, unitOverview } from './overview.repository.ts'

const badCursor = () => new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')

function cursorOf<T>(cursor: string | undefined, decode: (c: string) => T | undefined): T | undefined {
  if (cursor === undefined) return undefined
  const after = decode(cursor)
  if (!after) throw badCursor()
  return after
}

export const overviewRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/attendance/overview',
    {
      schema: {
        tags: ['attendance'],
        description:
          'A unit’s whole subtree: meetings held this month and year by type, attendance rate this year, members with no ' +
          'attendance in 90 days, pending record-card entries, guest check-ins credited. Group leader or higher over the unit.',
        querystring: Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ unit: UnitOverview, parentId: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId } = request.query
      await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      const unit = await db.selectFrom('org_unit').select(['id', 'name', 'kind', 'path', 'parent_id']).where('id', '=', orgUnitId).executeTakeFirstOrThrow()
      return { unit: await unitOverview(db, unit, periods(Date.now())), parentId: unit.parent_id }
    },
  )

  app.get(
    '/api/v1/attendance/overview/units',
    {
      schema: {
        tags: ['attendance'],
        description: 'The unit’s direct children (groups of a branch, branches of a township) by name, each with its subtree’s numbers.',
        querystring: OverviewQuery,
        response: { 200: Page(UnitOverview), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, cursor, limit = 20 } = request.query
      await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      return childOverviews(db, orgUnitId, periods(Date.now()), limit, cursorOf(cursor, decodeCursor))
    },
  )

  app.get(
    '/api/v1/attendance/overview/meetings',
    {
      schema: {
        tags: ['attendance'],
        description: 'Meetings held in the subtree, newest first, each with attended / expected (the unit’s active roster) and guests.',
        querystring: OverviewQuery,
        response: { 200: Page(MeetingRate), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, cursor, limit = 20 } = request.query
      const path = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      return meetingRates(db, path, periods(Date.now()), limit, cursorOf(cursor, decodeMeetingCursor))
    },
  )

  app.get(
    '/api/v1/attendance/overview/members',
    {
      schema: {
        tags: ['attendance'],
        description:
          'Active members of the subtree by name with this year’s attendance rate and confirmed record-card entries; ' +
          '`inactive=true`: only those with no attendance in the last 90 days.',
        querystring: OverviewMembersQuery,
        response: { 200: Page(MemberRate), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, cursor, limit = 20, inactive } = request.query
      const path = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      return memberRates(db, path, periods(Date.now()), limit, { inactive, after: cursorOf(cursor, decodeCursor) })
    },
  )
}
