/**
 * The training archive 培训档案: a member reads their own; group leaders and everyone above read
 * the archives of people in their subtree (403 otherwise). Exports are written to the audit log.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type, type TSchema } from 'typebox'
import {
  ArchiveLesson,
  ArchiveMeeting,
  ArchivePerson,
  ArchiveQuery,
  ArchiveQuiz,
  ArchiveSummary,
  ArchiveVisit,
} from '../../../src/protocol/archive.ts'
import { errorResponses, Page, PageQuery } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { writeAudit } from '../../shared/audit.ts'
import { allows, authorizeOrgUnit, grantsOf, requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import { decodeCursor, encodeCursor } from '../org/org.repository.ts'
import {
  archiveLessons,
  archiveMeetings,
  archiveQuizzes,
  archiveSections,
  archiveSummary,
  archiveVisits,
  findArchivePerson,
  searchMembers,
  type ArchivePersonRow,
} from './archive.repository.ts'
import { archiveCsv } from './archive.csv.ts'
import { attachment } from './csv.ts'

const badCursor = () => new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
const PersonParams = Type.Object({ personId: Type.String({ minLength: 1, maxLength: 64 }) })
const SectionQuery = Type.Object({ ...ArchiveQuery.properties, ...PageQuery.properties })

/** The person, if the signed-in person may read their archive: themselves, or a leader above them. */
async function readableArchive(db: Kysely<Database>, auth: AuthContext, personId: string): Promise<ArchivePersonRow> {
  const person = await findArchivePerson(db, personId)
  if (!person) throw notFound('Person')
  if (person.id !== auth.personId && !allows(await grantsOf(db, auth.personId), person.path, 'group_leader')) throw forbidden()
  return person
}

/** Keyset page over a list already sorted newest first; the cursor is the last row's (time, id). */
function page<T>(items: T[], key: (item: T) => [number, string], limit: number, cursor?: string): { items: T[]; next: string | null } {
  let start = 0
  if (cursor !== undefined) {
    const after = decodeCursor(cursor)
    if (!after) throw badCursor()
    const [at, id] = [Number(after[0]), after[1]]
    start = items.findIndex((item) => {
      const [t, i] = key(item)
      return t < at || (t === at && i < id)
    })
    if (start < 0) start = items.length
  }
  const slice = items.slice(start, start + limit)
  const last = slice.at(-1)
  return { items: slice, next: start + limit < items.length && last ? encodeCursor(String(key(last)[0]), key(last)[1]) : null }
}

export const archiveRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/archive/:personId',
    {
      schema: {
        tags: ['archive'],
        description: 'A member’s training archive for one year: totals, courses completed, quizzes to take again.',
        params: PersonParams,
        querystring: ArchiveQuery,
        response: { 200: ArchiveSummary, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const person = await readableArchive(db, requireAuth(request), request.params.personId)
      return archiveSummary(db, person, request.query.year)
    },
  )

  /** One paged section of the archive; every section is sorted newest first. */
  function section<S extends TSchema, T>(
    name: string,
    item: S,
    read: (db: Kysely<Database>, personId: string, year: number) => Promise<T[]>,
    key: (row: T) => [number, string],
  ) {
    app.get(
      `/api/v1/archive/:personId/${name}`,
      {
        schema: {
          tags: ['archive'],
          description: `The ${name} section of a member’s archive for one year, newest first.`,
          params: PersonParams,
          querystring: SectionQuery,
          response: { 200: Page(item), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const person = await readableArchive(db, requireAuth(request), request.params.personId)
        const { year, cursor, limit = 50 } = request.query
        return page(await read(db, person.id, year), key, limit, cursor) as never
      },
    )
  }
  section('lessons', ArchiveLesson, archiveLessons, (l) => [l.lastAt, l.lessonId])
  section('quizzes', ArchiveQuiz, archiveQuizzes, (q) => [q.at, q.id])
  section('meetings', ArchiveMeeting, archiveMeetings, (m) => [m.at, m.id])
  section('visits', ArchiveVisit, archiveVisits, (v) => [v.at, v.id])

  app.get(
    '/api/v1/archive/:personId/export.csv',
    {
      schema: {
        tags: ['archive'],
        description: 'The year’s archive as one CSV file (UTF-8 with BOM, opens in Excel and WPS). Written to the audit log.',
        params: PersonParams,
        querystring: ArchiveQuery,
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const person = await readableArchive(db, auth, request.params.personId)
      // A leader exporting someone else's record proves the password first; one's own needs no step-up.
      if (person.id !== auth.personId) requireRecentSignIn(auth)
      const { year } = request.query
      const [summary, sections] = await Promise.all([archiveSummary(db, person, year), archiveSections(db, person.id, year)])
      await writeAudit(db, auth, 'archive.export', person.id, { year }, Date.now(), person.path)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(`培训档案-${person.name}-${year}.csv`))
        .header('cache-control', 'no-store')
        .send(archiveCsv(summary, sections))
    },
  )

  app.get(
    '/api/v1/archive-people',
    {
      schema: {
        tags: ['archive'],
        description: 'People of a unit’s subtree whose name starts with `q`, by name: pick whose archive to open.',
        querystring: Type.Object({
          orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
          q: Type.Optional(Type.String({ maxLength: 50 })),
          ...PageQuery.properties,
        }),
        response: { 200: Page(ArchivePerson), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgUnitId, q = '', cursor, limit = 50 } = request.query
      const path = await authorizeOrgUnit(db, requireAuth(request), orgUnitId, 'group_leader')
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      if (cursor !== undefined && !after) throw badCursor()
      const rows = await searchMembers(db, path, q.trim(), limit, after)
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return { items, next: rows.length > limit && last ? encodeCursor(last.name, last.id) : null }
    },
  )
}
