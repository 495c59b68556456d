import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import {
  Decision,
  Lecturer,
  LecturerBody,
  LecturerPatch,
  LecturerQuery,
  LecturerRequest,
  LecturerRequestBody,
  RequestsQuery,
} from '../../../src/protocol/admin.ts'
import { errorResponses, IdParams, Page, PageQuery } from '../../../src/protocol/common.ts'
import { LecturerCourse } from '../../../src/protocol/studio.ts'
import { ROLE_RANK } from '../../../src/protocol/auth.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth } from '../../shared/authz.ts'
import { notFound } from '../../shared/errors.ts'
import { actorOf, conflict, decodeKey, encodeKey, requireActiveUnit, type Actor } from '../admin/access.ts'
import { lecturerRatings } from '../evaluation/evaluation.repository.ts'
import { findLecturer, findRequest, listLecturers, listRequests, toLecturer, toRequest } from './lecturers.repository.ts'

/**
 * 师资库: supervisors keep lecturers for the subtree of a unit; secretaries below request one for
 * a meeting; a supervisor over the lecturer's unit accepts or declines.
 */
export const lecturerRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  async function lecturerFor(actor: Actor, id: string, minRole: 'secretary' | 'supervisor') {
    const lecturer = await findLecturer(db, id)
    if (!lecturer) throw notFound('Lecturer')
    if (minRole === 'supervisor') actor.require(lecturer.path, 'supervisor')
    return lecturer
  }

  app.get(
    '/api/v1/lecturers',
    { schema: { tags: ['lecturers'], querystring: LecturerQuery, response: { 200: Page(Lecturer), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const { orgUnitId, cursor, limit = 50 } = request.query
      const unit = await actor.unit(orgUnitId, 'secretary', 'Organisation unit')
      const page = await listLecturers(db, unit.path, limit, decodeKey<[string, string]>(cursor, 2))
      const ratings = await lecturerRatings(db, page.items.map((l) => l.id))
      return { items: page.items.map((l) => ({ ...toLecturer(l, actor.can(l.path, 'supervisor')), ...(ratings.has(l.id) ? { rating: ratings.get(l.id)! } : {}) })), next: page.next }
    },
  )

  /**
   * A lecturer's page: their published courses (studio courses name their lecturer), by title.
   * Open to whoever may see the lecturer in a pool: a secretary or above on the lecturer's unit,
   * below it, or above it; anyone else gets 404, as for an unknown lecturer.
   */
  app.get(
    '/api/v1/lecturers/:id/courses',
    { schema: { tags: ['lecturers'], params: IdParams, querystring: PageQuery, response: { 200: Page(LecturerCourse), ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const lecturer = await findLecturer(db, request.params.id)
      const sees = (path: string) => actor.grants.some((g) => ROLE_RANK[g.role] >= ROLE_RANK.secretary && (g.path.startsWith(path) || path.startsWith(g.path)))
      if (!lecturer || !sees(lecturer.path)) throw notFound('Lecturer')
      const { cursor, limit = 50 } = request.query
      const after = decodeKey<[string, string]>(cursor, 2)
      const rows = await db
        .selectFrom('course')
        .innerJoin('org_unit', 'org_unit.id', 'course.org_unit_id')
        .select(['course.id', 'course.title', 'course.category', 'course.category_title', 'course.published_at', 'org_unit.name'])
        .where('course.lecturer_id', '=', lecturer.id)
        .where('course.deleted_at', 'is', null)
        .$if(!!after, (q) => q.where((eb) => eb.or([eb('course.title', '>', after![0]), eb.and([eb('course.title', '=', after![0]), eb('course.id', '>', after![1])])])))
        .orderBy('course.title')
        .orderBy('course.id')
        .limit(limit + 1)
        .execute()
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return {
        items: items.map((r) => ({ id: r.id, title: r.title, category: r.category, categoryTitle: r.category_title ?? null, orgUnitName: r.name, publishedAt: Number(r.published_at) })),
        next: rows.length > limit && last ? encodeKey([last.title, last.id]) : null,
      }
    },
  )

  app.post(
    '/api/v1/lecturers',
    { schema: { tags: ['lecturers'], body: LecturerBody, response: { 201: Lecturer, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const actor = await actorOf(db, requireAuth(request))
      const { orgUnitId, name, title, topics, contact } = request.body
      const unit = await actor.unit(orgUnitId, 'supervisor')
      requireActiveUnit(unit, 'body.orgUnitId')
      const now = Date.now()
      const row = {
        id: randomUUID(),
        name: name.trim(),
        title: title.trim(),
        topics: JSON.stringify(topics.map((t) => t.trim())),
        contact: contact.trim(),
        org_unit_id: unit.id,
        retired_at: null,
        created_by: actor.auth.personId,
        created_at: now,
        updated_at: now,
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('lecturer').values(row).execute()
        await writeAudit(trx, actor.auth, 'lecturer.create', row.id, { name: row.name, orgUnitId }, now, unit.path)
      })
      return reply.status(201).send(toLecturer({ ...row, org_unit_name: unit.name, path: unit.path }, true))
    },
  )

  app.patch(
    '/api/v1/lecturers/:id',
    { schema: { tags: ['lecturers'], params: IdParams, body: LecturerPatch, response: { 200: Lecturer, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const lecturer = await lecturerFor(actor, request.params.id, 'supervisor')
      const { name, title, topics, contact, retired } = request.body
      const now = Date.now()
      const changes = Object.fromEntries(
        Object.entries({
          name: name?.trim(),
          title: title?.trim(),
          topics: topics && JSON.stringify(topics.map((t) => t.trim())),
          contact: contact?.trim(),
          retired_at: retired === undefined ? undefined : retired ? now : null,
        }).filter(([, v]) => v !== undefined),
      )
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('lecturer').set({ ...changes, updated_at: now }).where('id', '=', lecturer.id).execute()
        await writeAudit(trx, actor.auth, 'lecturer.update', lecturer.id, { name: lecturer.name, changes: request.body }, now, lecturer.path)
      })
      return toLecturer((await findLecturer(db, lecturer.id))!, true)
    },
  )

  app.post(
    '/api/v1/lecturers/:id/requests',
    { schema: { tags: ['lecturers'], params: IdParams, body: LecturerRequestBody, response: { 201: LecturerRequest, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const actor = await actorOf(db, requireAuth(request))
      const { orgUnitId, meetingAt, topic, note = '' } = request.body
      const unit = await actor.unit(orgUnitId, 'secretary')
      const lecturer = await lecturerFor(actor, request.params.id, 'secretary')
      // A lecturer serves the subtree of their unit only.
      if (!unit.path.startsWith(lecturer.path)) throw conflict('NOT_SERVED', 'This lecturer does not serve your organisation.', 'body.orgUnitId')
      if (lecturer.retired_at) throw conflict('LECTURER_RETIRED', 'This lecturer is no longer in the pool.')
      const now = Date.now()
      const id = randomUUID()
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('lecturer_request')
          .values({ id, lecturer_id: lecturer.id, org_unit_id: unit.id, meeting_at: meetingAt, topic: topic.trim(), note: note.trim(), status: 'requested', answer: null, requested_by: actor.auth.personId, decided_by: null, decided_at: null, created_at: now })
          .execute()
        await writeAudit(trx, actor.auth, 'lecturer.request', id, { lecturer: lecturer.name, topic, meetingAt }, now, unit.path)
      })
      const created = (await findRequest(db, id))!
      return reply.status(201).send(toRequest(created, actor.can(created.lecturer_path, 'supervisor')))
    },
  )

  app.get(
    '/api/v1/lecturer-requests',
    { schema: { tags: ['lecturers'], querystring: RequestsQuery, response: { 200: Page(LecturerRequest), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const { orgUnitId, side, cursor, limit = 50 } = request.query
      const unit = await actor.unit(orgUnitId, side === 'incoming' ? 'supervisor' : 'secretary')
      const page = await listRequests(db, unit.path, side, limit, decodeKey<[number, string]>(cursor, 2))
      return { items: page.items.map((r) => toRequest(r, actor.can(r.lecturer_path, 'supervisor'))), next: page.next }
    },
  )

  app.post(
    '/api/v1/lecturer-requests/:id/decision',
    { schema: { tags: ['lecturers'], params: IdParams, body: Decision, response: { 200: LecturerRequest, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const found = await findRequest(db, request.params.id)
      if (!found) throw notFound('Request')
      actor.require(found.lecturer_path, 'supervisor')
      const { status, answer = '' } = request.body
      const now = Date.now()
      await db.transaction().execute(async (trx) => {
        // Only an open request changes: two supervisors answering at once cannot both win.
        const result = await trx
          .updateTable('lecturer_request')
          .set({ status, answer: answer.trim() || null, decided_by: actor.auth.personId, decided_at: now })
          .where('id', '=', found.id)
          .where('status', '=', 'requested')
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) throw conflict('ALREADY_DECIDED', 'This request has already been answered.')
        await writeAudit(trx, actor.auth, `lecturer.${status}`, found.id, { lecturer: found.lecturer_name, unit: found.org_unit_name }, now, found.lecturer_path)
      })
      return toRequest((await findRequest(db, found.id))!, true)
    },
  )
}
