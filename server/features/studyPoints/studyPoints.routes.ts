/**
 * Study points 学习圈. Any signed-in member reads points by area (they are a public directory: a
 * flowing member needs the points of the city they are in, not of their home branch); supervisors
 * create, edit and retire the points of their subtree; leaders hold their meetings at a point,
 * which opens them to visitors. These writes are online REST calls, audited, like the other desk
 * tools (members never write points, so no outbox kind is needed).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, IdParams, Page, PageQuery } from '../../../src/protocol/common.ts'
import { StudyPoint, StudyPointArea, StudyPointInput, StudyPointPatch, StudyPointsQuery } from '../../../src/protocol/studyPoints.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { decodeCursor } from '../org/org.repository.ts'
import { findPoint, findPointUnit, insertPoint, listAreas, listInCells, listInSubtree, updatePoint } from './studyPoints.repository.ts'

const invalid = (field: string, message: string) => new ApiError(400, 'VALIDATION', `${field} ${message}`, field)
const badCursor = () => invalid('querystring.cursor', 'is not a cursor this server gave')

export const studyPointRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/study-points',
    {
      schema: {
        tags: ['studyPoints'],
        description:
          'Active study points of one area, paged: either a 0.1° grid cell and its eight neighbours (`latCell`, ' +
          '`lngCell`: the phone never sends its position, and sorts by distance itself) or run by a unit’s subtree (`orgUnitId`; ' +
          '`includeRetired` for supervisors of that unit). Each point carries its upcoming meetings open to visitors.',
        querystring: StudyPointsQuery,
        response: { 200: Page(StudyPoint), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { latCell, lngCell, orgUnitId, includeRetired, cursor, limit = 100 } = request.query
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && !after) throw badCursor()
      if (orgUnitId !== undefined) {
        if (latCell !== undefined || lngCell !== undefined) throw invalid('querystring.orgUnitId', 'cannot be combined with latCell/lngCell')
        const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
        if (!unit) throw notFound('Organisation unit')
        if (includeRetired) await authorizeOrgUnit(db, auth, orgUnitId, 'supervisor')
        return listInSubtree(db, unit.path, !!includeRetired, limit, after)
      }
      if (latCell === undefined) throw invalid('querystring.latCell', 'is required (or orgUnitId)')
      if (lngCell === undefined) throw invalid('querystring.lngCell', 'is required with latCell')
      if (includeRetired) throw invalid('querystring.includeRetired', 'needs orgUnitId')
      const latE6 = after === undefined ? undefined : Number(after[0])
      if (after && !Number.isInteger(latE6)) throw badCursor()
      return listInCells(db, { latCell, lngCell }, limit, after && [latE6!, after[1]])
    },
  )

  app.get(
    '/api/v1/study-points/areas',
    {
      schema: {
        tags: ['studyPoints'],
        description:
          'Units to choose from when the phone has no location: the children of `parentId` (default: the top unit of ' +
          'the member’s own tree, i.e. the townships of their district) that run points, with the centre of their points.',
        querystring: Type.Object({ parentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ...PageQuery.properties }),
        response: { 200: Page(StudyPointArea), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { parentId, cursor, limit = 50 } = request.query
      let parent = parentId
      if (parent === undefined) {
        const own = await db
          .selectFrom('person')
          .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
          .select('org_unit.path')
          .where('person.id', '=', auth.personId)
          .executeTakeFirstOrThrow()
        parent = own.path.split('/')[1]!
      } else if (!(await db.selectFrom('org_unit').select('id').where('id', '=', parent).executeTakeFirst())) {
        throw notFound('Organisation unit')
      }
      return listAreas(db, parent, limit, cursor)
    },
  )

  app.get(
    '/api/v1/study-points/:id',
    {
      schema: {
        tags: ['studyPoints'],
        description: 'One point with its upcoming meetings open to visitors (a retired point says so).',
        params: IdParams,
        response: { 200: StudyPoint, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      requireAuth(request)
      const point = await findPoint(db, request.params.id)
      if (!point) throw notFound('Study point')
      return point
    },
  )

  app.post(
    '/api/v1/study-points',
    {
      schema: {
        tags: ['studyPoints'],
        description: 'Creates a point run by `orgUnitId`; supervisors (or higher) over that unit only. Audited.',
        body: StudyPointInput,
        response: { 201: StudyPoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const orgPath = await authorizeOrgUnit(db, auth, request.body.orgUnitId, 'supervisor')
      const id = randomUUID()
      await db.transaction().execute(async (trx) => {
        await insertPoint(trx, { id, input: request.body, orgPath, createdBy: auth.personId, now: Date.now() })
        await writeAudit(trx, auth, 'study_point.create', id, request.body)
      })
      return reply.status(201).send((await findPoint(db, id))!)
    },
  )

  app.patch(
    '/api/v1/study-points/:id',
    {
      schema: {
        tags: ['studyPoints'],
        description:
          'Edits, retires (`retired: true`) or brings back a point; supervisors over its unit, and over the new unit ' +
          'when `orgUnitId` moves it. Audited.',
        params: IdParams,
        body: StudyPointPatch,
        response: { 200: StudyPoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const current = await findPointUnit(db, request.params.id)
      if (!current) throw notFound('Study point')
      await authorizeOrgUnit(db, auth, current.org_unit_id, 'supervisor')
      const moveTo = request.body.orgUnitId
      const newPath = moveTo !== undefined && moveTo !== current.org_unit_id ? await authorizeOrgUnit(db, auth, moveTo, 'supervisor') : undefined
      await db.transaction().execute(async (trx) => {
        await updatePoint(trx, request.params.id, request.body, newPath, Date.now())
        const action = request.body.retired === true ? 'study_point.retire' : 'study_point.update'
        await writeAudit(trx, auth, action, request.params.id, request.body)
      })
      return (await findPoint(db, request.params.id))!
    },
  )

  const MeetingLinkParams = Type.Object({ id: IdParams.properties.id, meetingId: IdParams.properties.id })
  const linkSchema = (description: string) => ({
    tags: ['studyPoints'],
    description,
    params: MeetingLinkParams,
    response: { 200: StudyPoint, ...errorResponses(401, 403, 404, 409) },
  })
  /** The meeting, if the signed-in person leads its unit; the point, if it is active. */
  async function linkTargets(auth: ReturnType<typeof requireAuth>, pointId: string, meetingId: string) {
    const point = await findPointUnit(db, pointId)
    if (!point) throw notFound('Study point')
    const meeting = await db.selectFrom('meeting').select(['id', 'org_unit_id', 'ends_at', 'study_point_id']).where('id', '=', meetingId).executeTakeFirst()
    if (!meeting) throw notFound('Meeting')
    const meetingPath = await authorizeOrgUnit(db, auth, meeting.org_unit_id, 'group_leader')
    return { point, meeting, meetingPath }
  }

  /**
   * Where a leader may hold a meeting: at a point run by the meeting's unit or a unit above it
   * (the public points of their area, e.g. the township's party school), or by a unit they lead.
   * Not at another village's point: that would list the meeting on a place its leaders run.
   */
  async function requireUsablePoint(auth: ReturnType<typeof requireAuth>, pointPath: string, meetingPath: string) {
    if (meetingPath.startsWith(pointPath)) return
    if (!allows(await grantsOf(db, auth.personId), pointPath, 'group_leader')) throw forbidden()
  }

  app.put(
    '/api/v1/study-points/:id/meetings/:meetingId',
    {
      schema: linkSchema(
        'Holds a meeting at this point, which opens it to visitors (listed on the point; flowing members check in as ' +
          'guests). Leaders of the meeting’s unit; not for a retired point or a meeting that has ended. Audited.',
      ),
    },
    async (request) => {
      const auth = requireAuth(request)
      const { point, meeting, meetingPath } = await linkTargets(auth, request.params.id, request.params.meetingId)
      await requireUsablePoint(auth, point.org_path, meetingPath)
      if (point.retired_at !== null) throw new ApiError(409, 'CONFLICT', 'This study point has been retired.')
      if (Number(meeting.ends_at) < Date.now()) throw new ApiError(409, 'CONFLICT', 'This meeting has already ended.')
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('meeting').set({ study_point_id: request.params.id }).where('id', '=', meeting.id).execute()
        await writeAudit(trx, auth, 'study_point.meeting_link', meeting.id, { studyPointId: request.params.id })
      })
      return (await findPoint(db, request.params.id))!
    },
  )

  app.delete(
    '/api/v1/study-points/:id/meetings/:meetingId',
    { schema: linkSchema('Closes a meeting held at this point to visitors again. Leaders of the meeting’s unit. Audited.') },
    async (request) => {
      const auth = requireAuth(request)
      const { meeting } = await linkTargets(auth, request.params.id, request.params.meetingId)
      if (meeting.study_point_id !== request.params.id) throw notFound('Meeting at this study point')
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('meeting').set({ study_point_id: null }).where('id', '=', meeting.id).execute()
        await writeAudit(trx, auth, 'study_point.meeting_unlink', meeting.id, { studyPointId: request.params.id })
      })
      return (await findPoint(db, request.params.id))!
    },
  )
}
