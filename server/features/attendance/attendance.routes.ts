/**
 * Read routes for meetings and attendance. Every write (create, mark, check in) goes through the
 * push outbox (kinds meeting_create, attendance_mark, checkin), so it works offline.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { HomeVisit, Meeting, MeetingDetail, MeetingsQuery, MyAttendance, RosterMember } from '../../../src/protocol/attendance.ts'
import { errorResponses, IdParams, Page, PageQuery } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { decodeCursor, listMembersInSubtree } from '../org/org.repository.ts'
import { visibleOrgUnits } from '../sync/pull.repository.ts'
import { Type } from 'typebox'
import { checkinLockedUntil, isTypedCodeLocked, meetingWrongCodes } from './checkinGuard.repository.ts'
import { decodeMeetingCursor, findMeetings, listHomeVisits, listMeetings, meetingAttendees, myAttendance, toMeeting } from './attendance.repository.ts'

const badCursor = () => new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')

export const attendanceRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/attendance/groups/:id/roster',
    {
      schema: {
        tags: ['attendance'],
        description: 'The people a leader may mark in this unit (its whole subtree), by name; cached on the leader’s phone.',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: Page(RosterMember), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.params.id, 'group_leader')
      const { cursor, limit = 50 } = request.query
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && !after) throw badCursor()
      const page = await listMembersInSubtree(db, path, limit, after)
      return {
        items: page.items
          .filter((m) => m.status === 'active')
          .map(({ id, name, orgUnitId, isFlowing, isElderly }) => ({ id, name, orgUnitId, isFlowing, isElderly })),
        next: page.next,
      }
    },
  )

  app.get(
    '/api/v1/attendance/meetings',
    {
      schema: {
        tags: ['attendance'],
        description: 'Meetings of one unit, newest first. The check-in code is included only for its leaders.',
        querystring: MeetingsQuery,
        response: { 200: Page(Meeting), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { orgUnitId, cursor, limit = 30 } = request.query
      const path = await authorizeOrgUnit(db, auth, orgUnitId, 'member')
      const after = cursor === undefined ? undefined : decodeMeetingCursor(cursor)
      if (cursor !== undefined && !after) throw badCursor()
      const leads = allows(await grantsOf(db, auth.personId), path, 'group_leader')
      return listMeetings(db, orgUnitId, limit, leads, after)
    },
  )

  app.get(
    '/api/v1/attendance/meetings/:id',
    {
      schema: {
        tags: ['attendance'],
        description:
          'A meeting with everyone’s current status (the latest mark by server order) and the full history of ' +
          'marks and check-ins. A member sees only their own row.',
        params: IdParams,
        response: { 200: MeetingDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const meeting = (await findMeetings(db, [request.params.id])).get(request.params.id)
      if (!meeting) throw notFound('Meeting')
      const grants = await grantsOf(db, auth.personId)
      const leads = allows(grants, meeting.path, 'group_leader')
      if (!leads) {
        // A member of the meeting's subtree may see their own row (their unit may sit below it).
        const own = await db
          .selectFrom('person')
          .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
          .select('org_unit.path')
          .where('person.id', '=', auth.personId)
          .executeTakeFirst()
        if (!own?.path.startsWith(meeting.path)) throw forbidden()
      }
      const shown = toMeeting(meeting, leads)
      if (leads) {
        // The leader sees why members' typed codes are refused ("scan the QR code instead").
        shown.wrongCodes = (await meetingWrongCodes(db, [meeting.id])).get(meeting.id) ?? 0
        shown.typedCodeLocked = isTypedCodeLocked(shown.wrongCodes)
      }
      return { meeting: shown, attendees: await meetingAttendees(db, meeting, leads ? undefined : auth.personId) }
    },
  )

  app.get(
    '/api/v1/attendance/me',
    {
      schema: {
        tags: ['attendance'],
        description:
          'The signed-in member’s meetings (their unit and every unit above), their status in each, their check-ins, and until when their typed codes are refused after too many wrong ones.',
        response: { 200: MyAttendance, ...errorResponses(401) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const mine = await myAttendance(db, auth.personId, await visibleOrgUnits(db, auth.personId))
      const lockedUntil = await checkinLockedUntil(db, auth.personId)
      return lockedUntil === null ? mine : { ...mine, checkinLockedUntil: lockedUntil }
    },
  )

  app.get(
    '/api/v1/attendance/home-visits',
    {
      schema: {
        tags: ['attendance'],
        description: 'The newest 50 home visits (上门送学) recorded for a unit, without photos.',
        querystring: Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ items: Type.Array(HomeVisit) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'group_leader')
      return { items: await listHomeVisits(db, request.query.orgUnitId) }
    },
  )

  app.get(
    '/api/v1/attendance/home-visits/:id/photo',
    {
      schema: {
        tags: ['attendance'],
        description: 'The photo of one home visit (JPEG), for the unit’s leaders and the member visited.',
        params: IdParams,
        response: { 200: Type.Unknown({ description: 'image/jpeg bytes' }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const visit = await db
        .selectFrom('home_visit')
        .select(['org_unit_id', 'person_id', 'photo'])
        .where('id', '=', request.params.id)
        .executeTakeFirst()
      if (!visit?.photo) throw notFound('Photo')
      if (visit.person_id !== auth.personId) await authorizeOrgUnit(db, auth, visit.org_unit_id, 'group_leader')
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400').send(Buffer.from(visit.photo, 'base64'))
    },
  )
}
