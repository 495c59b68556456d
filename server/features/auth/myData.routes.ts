/**
 * PIPL art. 45: a person may obtain a copy of their personal information. One JSON file with
 * every row the server keeps about the signed-in person, secrets left out (password hash, session
 * token hashes). Photos are referenced by id, not embedded.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth } from '../../shared/authz.ts'
import { attachment } from '../archive/csv.ts'

/** Tables whose rows belong to one person through `person_id`; add a table here when it gets one. */
const PERSONAL_TABLES = [
  'role',
  'study_event',
  'quiz_attempt',
  'exam_attempt',
  'attendance_mark',
  'checkin',
  'home_visit',
  'flowing_record',
  'assignment_person',
  'reflection',
  'reflection_reply',
  'reflection_like',
] as const satisfies ReadonlyArray<keyof Database>

export const myDataRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/auth/me/export.json',
    {
      schema: {
        tags: ['auth'],
        description: 'Everything the server keeps about me, as one JSON file (PIPL art. 45). Written to the audit log.',
        response: { 200: Type.String({ description: 'application/json' }), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      // Table names come from the constant above, never from the request.
      const dyn = db as unknown as Kysely<Record<string, { person_id: string }>>
      const { password_hash: _secret, ...person } = await db.selectFrom('person').selectAll().where('id', '=', auth.personId).executeTakeFirstOrThrow()
      const sessions = await db
        .selectFrom('session')
        .select(['id', 'device_name', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
        .where('person_id', '=', auth.personId)
        .execute()
      const tables: Record<string, unknown[]> = {}
      for (const table of PERSONAL_TABLES) tables[table] = await dyn.selectFrom(table).selectAll().where('person_id', '=', auth.personId).execute()
      const audit = await db
        .selectFrom('audit_log')
        .selectAll()
        .where((eb) => eb.or([eb('person_id', '=', auth.personId), eb('target', '=', auth.personId)]))
        .orderBy('id')
        .execute()
      await writeAudit(db, auth, 'personal_data.export', auth.personId, { tables: PERSONAL_TABLES.length + 3 })
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', attachment(`我的数据-${person.name}.json`))
        .header('cache-control', 'no-store')
        .send(JSON.stringify({ exportedAt: Date.now(), person, sessions, ...tables, audit_log: audit }, null, 1))
    },
  )
}
