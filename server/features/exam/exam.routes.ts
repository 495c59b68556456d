/**
 * Exams 考核: leaders create them and read their figures; members read their own exams with their
 * papers. Attempts are a push kind (`exam_attempt`), so they work offline. No route here returns
 * an exam's answers before its window closes (docs/quiz.md "Exams").
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses, IdParams, PageQuery } from '../../../src/protocol/common.ts'
import { ExamCreate, ExamResults, ExamStartBody, ExamStarted, ExamSummary, MyExams } from '../../../src/protocol/exam.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { createExam, decodeCursor, examResults, examsInSubtree, findExam, myExams, startExam, summaryOf } from './exam.repository.ts'

const badCursor = () => new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
function cursorOf(cursor: string | undefined): [string, string] | undefined {
  if (cursor === undefined) return undefined
  const decoded = decodeCursor(cursor)
  if (!decoded) throw badCursor()
  return decoded
}
const UnitQuery = Type.Object({ orgUnitId: Type.String({ minLength: 1, maxLength: 64 }) })

/** `clock`: the server's time, which alone decides whether a window has opened or closed. */
export const examRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; clock?: () => number }> = async (app, { db, clock = Date.now }) => {
  app.post(
    '/api/v1/exams',
    {
      schema: {
        tags: ['exam'],
        description: 'Give an exam-only quiz to a unit as an exam 考核 (secretary or above over the unit).',
        body: ExamCreate,
        response: { 201: ExamSummary, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const path = await authorizeOrgUnit(db, auth, request.body.orgUnitId, 'secretary')
      const exam = await db.transaction().execute(async (trx) => {
        const created = await createExam(trx, path, auth.personId, request.body, clock())
        await writeAudit(trx, auth, 'exam.create', created.id, request.body, clock(), path)
        return created
      })
      return reply.code(201).send(summaryOf(exam))
    },
  )

  app.get(
    '/api/v1/exams',
    {
      schema: {
        tags: ['exam'],
        description: 'Exams set on a unit or below, latest window first (secretary or above).',
        querystring: Type.Object({ ...UnitQuery.properties, ...PageQuery.properties }),
        response: { 200: Type.Object({ items: Type.Array(ExamSummary), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'secretary')
      return examsInSubtree(db, path, request.query.limit ?? 50, cursorOf(request.query.cursor))
    },
  )

  app.get(
    '/api/v1/exams/quizzes',
    {
      schema: {
        tags: ['exam'],
        description: 'Exam-only quizzes (from exam banks) that can be given to this unit (secretary or above).',
        querystring: UnitQuery,
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const path = await authorizeOrgUnit(db, requireAuth(request), request.query.orgUnitId, 'secretary')
      const items = await db
        .selectFrom('quiz')
        .select(['id', 'title'])
        .where('org_unit_id', 'in', path.split('/').filter(Boolean))
        .where('exam_only', '=', 1)
        .where('deleted_at', 'is', null)
        .orderBy('title')
        .limit(200)
        .execute()
      return { items }
    },
  )

  app.get(
    '/api/v1/exams/:id/results',
    {
      schema: {
        tags: ['exam'],
        description: 'Pass rate per unit and one page of those who must retake (复训; committee members marked for 调训).',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: ExamResults, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const exam = await findExam(db, request.params.id)
      if (!exam) throw notFound('Exam')
      if (!allows(await grantsOf(db, auth.personId), exam.unit_path, 'secretary')) throw forbidden()
      return examResults(db, exam, request.query.limit ?? 50, cursorOf(request.query.cursor))
    },
  )

  app.post(
    '/api/v1/exams/:id/start',
    {
      schema: {
        tags: ['exam'],
        description:
          'The member starts an attempt: the server records the moment (its own clock; a repeat keeps the first) and ' +
          'hands out the paper. The time limit is judged from this moment (docs/quiz.md "Time limit").',
        params: IdParams,
        body: ExamStartBody,
        response: { 200: ExamStarted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const now = clock()
      const personId = requireAuth(request).personId
      const startedAt = await startExam(db, personId, request.params.id, request.body.attemptNo, now)
      const [exam] = await myExams(db, personId, now, request.params.id)
      if (!exam) throw notFound('Exam')
      reply.header('cache-control', 'private, no-store')
      return { exam, startedAt, serverNow: now }
    },
  )

  app.get(
    '/api/v1/exams/mine',
    {
      schema: {
        tags: ['exam'],
        description:
          'The signed-in member’s exams: their own paper once they started an attempt (no answers), their scores, and ' +
          'the answers and explanations only after the window closed.',
        response: { 200: MyExams, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const now = clock()
      reply.header('cache-control', 'private, no-store')
      return { items: await myExams(db, requireAuth(request).personId, now), serverNow: now }
    },
  )
}
