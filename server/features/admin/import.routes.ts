import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { ImportBody, ImportCheck, type ImportEvent, type OneTimePassword } from '../../../src/protocol/admin.ts'
import { errorResponses } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { hashPassword } from '../auth/password.ts'
import { actorOf, type Actor } from './access.ts'
import { checkImport, MAX_IMPORT_BYTES, type CheckResult, type ImportRow } from './memberImport.ts'
import { insertMembers, oneTimePassword } from './people.repository.ts'

/** scrypt runs on libuv's pool; a few at a time keeps the server answering other requests. */
const HASH_CONCURRENCY = 4

function toCheck({ rows, errors, total }: CheckResult): ImportCheck {
  return {
    rows: total,
    errors,
    preview: rows.slice(0, 5).map((r) => ({ row: r.row, name: r.name, phone: r.phone, group: r.unit.name })),
  }
}

/**
 * The real import, as NDJSON lines: progress while the one-time passwords are hashed (the slow
 * part: ~80 ms each), then one transaction that writes everyone or no one, then the passwords.
 */
async function* runImport(db: Kysely<Database>, actor: Actor, rows: ImportRow[]): AsyncGenerator<string> {
  const line = (event: ImportEvent) => `${JSON.stringify(event)}\n`
  const passwords = rows.map(() => oneTimePassword())
  const hashes: string[] = new Array(rows.length)
  yield line({ type: 'progress', done: 0, total: rows.length })
  for (let i = 0; i < rows.length; i += HASH_CONCURRENCY) {
    const batch = passwords.slice(i, i + HASH_CONCURRENCY)
    const done = await Promise.all(batch.map((p) => hashPassword(p)))
    done.forEach((h, j) => (hashes[i + j] = h))
    yield line({ type: 'progress', done: Math.min(i + HASH_CONCURRENCY, rows.length), total: rows.length })
  }
  try {
    const ids = await db.transaction().execute(async (trx) => {
      const now = Date.now()
      const created = await insertMembers(trx, rows.map((r, i) => ({ ...r, passwordHash: hashes[i]! })), now)
      for (const [i, r] of rows.entries()) {
        await writeAudit(trx, actor.auth, 'person.import', created[i]!, { name: r.name, phone: r.phone, orgUnitId: r.unit.id, row: r.row }, now, r.unit.path)
      }
      return created
    })
    const created: OneTimePassword[] = rows.map((r, i) => ({ personId: ids[i]!, name: r.name, phone: r.phone, password: passwords[i]! }))
    yield line({ type: 'done', created })
  } catch (err) {
    // Someone took a phone number between the check and the commit: nothing was written.
    const message = err instanceof Error ? err.message : String(err)
    const code = /unique|duplicate/i.test(message) ? 'PHONE_EXISTS' : 'INTERNAL'
    yield line({ type: 'failed', code, message: code === 'PHONE_EXISTS' ? 'A phone number was taken meanwhile; check again.' : 'Nothing was imported.' })
  }
}

/** Member CSV import: a check (dry run) that lists every bad row, then the import. */
export const importRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.post(
    '/api/v1/admin/imports/members/check',
    {
      bodyLimit: MAX_IMPORT_BYTES,
      schema: { tags: ['admin'], body: ImportBody, response: { 200: ImportCheck, ...errorResponses(400, 401, 403, 413) } },
    },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      actor.requireAnywhere('secretary') // and each row's group is checked on its own
      requireRecentSignIn(actor.auth)
      return toCheck(await checkImport(db, actor, request.body.csv))
    },
  )

  app.post(
    '/api/v1/admin/imports/members',
    {
      bodyLimit: MAX_IMPORT_BYTES,
      // Progress lines must reach the page as they are written, not when gzip fills a block.
      compress: false,
      schema: {
        tags: ['admin'],
        body: ImportBody,
        response: {
          200: Type.String({ description: 'application/x-ndjson: progress lines, then done (with one-time passwords) or failed' }),
          422: ImportCheck,
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    async (request, reply) => {
      const actor = await actorOf(db, requireAuth(request))
      actor.requireAnywhere('secretary')
      requireRecentSignIn(actor.auth)
      const check = await checkImport(db, actor, request.body.csv)
      if (check.errors.length) return reply.status(422).send(toCheck(check))
      // A stream bypasses the response serializer; the schema's 200 documents its lines.
      const lines = Readable.from(runImport(db, actor, check.rows))
      return reply.type('application/x-ndjson').send(lines as unknown as string)
    },
  )
}
