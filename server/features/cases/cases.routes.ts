/**
 * 好的进教材 (docs/studio.md): a branch secretary (or a leader above) or a course editor proposes
 * an excellent reflection from their scope as a case; the author reads their proposals here and
 * answers from the phone through the outbox (`case_consent`). Proposing is online, like the studio.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { CasePage, CaseProposal, CaseTargets, CaseTargetsQuery, MyCasesQuery, ProposeCaseBody, UnitCasesQuery } from '../../../src/protocol/cases.ts'
import { errorResponses } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { decodeKey } from '../admin/access.ts'
import { findReflections } from '../reflections/reflections.repository.ts'
import { opensStudio } from '../studio/studio.access.ts'
import { caseUnitsAbove, findProposal, listProposals, mayPropose, toProposal } from './cases.repository.ts'

const invalid = (field: string, message: string) => new ApiError(400, 'VALIDATION', `${field}: ${message}`, field)


export const caseRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.post(
    '/api/v1/cases',
    {
      schema: {
        tags: ['studio'],
        description:
          'Propose an excellent reflection as a case (好的进教材) for a studio course (a new lesson) or a pocket-book category (a new entry). ' +
          'For the branch secretary or a leader above the reflection’s group, or a course editor of the case’s unit; the unit must be at or above the group. ' +
          'The author is asked on their phone; nothing enters the studio until they agree.',
        body: ProposeCaseBody,
        response: { 201: CaseProposal, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const b = request.body
      const reflection = (await findReflections(db, [b.reflectionId])).get(b.reflectionId)
      if (!reflection) throw notFound('Reflection')
      const unit = await db.selectFrom('org_unit').select(['id', 'path', 'kind']).where('id', '=', b.orgUnitId).executeTakeFirst()
      if (!unit) throw notFound('Organisation unit')
      if (!mayPropose(await grantsOf(db, auth.personId), reflection.path, unit.path)) throw forbidden()
      // The studio runs for districts and townships; a case goes to one the author belongs to.
      if ((unit.kind !== 'district' && unit.kind !== 'township') || !reflection.path.startsWith(unit.path)) {
        throw invalid('body.orgUnitId', 'a district or township above the author’s party group')
      }
      if (reflection.status !== 'excellent') throw new ApiError(409, 'NOT_EXCELLENT', 'Only a reflection marked excellent (优秀) may be proposed as a case.', 'body.reflectionId')
      const title = b.title.trim()
      if (!title) throw invalid('body.title', 'required')
      if (b.target === 'lesson') {
        const course = b.courseItemId && (await db.selectFrom('studio_item').select(['kind', 'org_unit_id']).where('id', '=', b.courseItemId).executeTakeFirst())
        if (!course || course.kind !== 'course' || course.org_unit_id !== unit.id) throw invalid('body.courseItemId', 'a studio course of this unit')
      } else {
        const category = b.category && (await db.selectFrom('pocket_category').select('id').where('id', '=', b.category).where('deleted_at', 'is', null).executeTakeFirst())
        if (!category) throw invalid('body.category', 'a pocket-book category')
      }
      const taken = await db.selectFrom('case_proposal').select('id').where('reflection_id', '=', reflection.id).executeTakeFirst()
      if (taken) throw new ApiError(409, 'CASE_EXISTS', 'This reflection has already been proposed as a case.', 'body.reflectionId')
      const id = randomUUID()
      const now = Date.now()
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('case_proposal')
          .values({
            id,
            reflection_id: reflection.id,
            author_id: reflection.person_id,
            proposed_by: auth.personId,
            org_unit_id: unit.id,
            target: b.target,
            course_item_id: b.target === 'lesson' ? b.courseItemId! : null,
            category: b.target === 'pocket_entry' ? b.category! : null,
            title,
            note: b.note?.trim() ?? '',
            status: 'asked',
            show_name: null,
            answered_at: null,
            draft_item_id: null,
            created_at: now,
          })
          .execute()
        await writeAudit(trx, auth, 'case.propose', id, { reflectionId: reflection.id, target: b.target, courseItemId: b.courseItemId ?? null, category: b.category ?? null, title }, now, unit.path)
      })
      return reply.status(201).send(toProposal((await findProposal(db, id))!))
    },
  )

  app.get(
    '/api/v1/cases/targets',
    {
      schema: {
        tags: ['studio'],
        description: 'Where the reader may propose a reflection as a case: the studio units above its group open to them, their courses, and the pocket-book categories. The proposer’s form reads it.',
        querystring: CaseTargetsQuery,
        response: { 200: CaseTargets, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const reflection = (await findReflections(db, [request.query.reflectionId])).get(request.query.reflectionId)
      if (!reflection) throw notFound('Reflection')
      const units = (await caseUnitsAbove(db, await grantsOf(db, auth.personId), [reflection.path])).get(reflection.path) ?? []
      if (units.length === 0) throw forbidden()
      const courses = await db
        .selectFrom('studio_item')
        .select(['id', 'title', 'org_unit_id'])
        .where('org_unit_id', 'in', units.map((u) => u.id))
        .where('kind', '=', 'course')
        .orderBy('updated_at', 'desc')
        .limit(50 * units.length)
        .execute()
      const categories = await db.selectFrom('pocket_category').select(['id', 'title']).where('deleted_at', 'is', null).orderBy('sort_order').execute()
      return {
        units: units.map((u) => ({ id: u.id, name: u.name, courses: courses.filter((c) => c.org_unit_id === u.id).slice(0, 50).map(({ id, title }) => ({ id, title })) })),
        categories,
      }
    },
  )

  app.get(
    '/api/v1/cases/mine',
    {
      schema: {
        tags: ['studio'],
        description: 'Proposals to use the reader’s own reflections as cases, newest first; the phone keeps them to answer offline.',
        querystring: MyCasesQuery,
        response: { 200: CasePage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { cursor, limit = 20 } = request.query
      return listProposals(db, { authorId: auth.personId }, limit, decodeKey<[number, string]>(cursor, 2))
    },
  )

  app.get(
    '/api/v1/cases',
    {
      schema: {
        tags: ['studio'],
        description: 'The case proposals of one studio unit and where each stands, newest first: for its editors, supervisors and admins.',
        querystring: UnitCasesQuery,
        response: { 200: CasePage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { orgUnitId, cursor, limit = 20 } = request.query
      const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
      if (!unit) throw notFound('Organisation unit')
      const grants = await grantsOf(db, auth.personId)
      if (!grants.some((g) => opensStudio(g) && unit.path.startsWith(g.path))) throw forbidden()
      return listProposals(db, { orgUnitId }, limit, decodeKey<[number, string]>(cursor, 2))
    },
  )
}
