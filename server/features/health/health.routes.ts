import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { errorResponses } from '../../../src/protocol/common.ts'
import type { DbHandle } from '../../db/connect.ts'
import { MigrationError, pendingMigrations } from '../../db/migrate.ts'
import { ApiError } from '../../shared/errors.ts'

const Health = Type.Object({ status: Type.Literal('ok'), database: Type.String() })
const Ready = Type.Object({ status: Type.Literal('ready') })

/** A load balancer waits this long at most: a database that answers slower counts as down. */
const READY_TIMEOUT_MS = 2000

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ handle: DbHandle }> = async (app, { handle }) => {
  app.get(
    '/api/health',
    { schema: { tags: ['health'], response: { 200: Health, ...errorResponses(503) } } },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(handle.db)
        return { status: 'ok' as const, database: handle.dialect }
      } catch (err) {
        request.log.error({ err }, 'database check failed')
        return reply
          .status(503)
          .send({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database does not answer.' })
      }
    },
  )

  // Migrations only ever move forward while this process runs: once complete, stop asking.
  let migrated = false
  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['health'],
        description: 'For load balancers: 200 once the schema is fully migrated and the database answers within 2 s, else 503.',
        response: { 200: Ready, ...errorResponses(503) },
      },
    },
    async (request) => {
      try {
        if (!migrated) {
          const pending = await withTimeout(pendingMigrations(handle.db), READY_TIMEOUT_MS)
          if (pending.length) throw new ApiError(503, 'NOT_READY', `Migrations not yet run: ${pending.join(', ')}.`)
          migrated = true
        }
        await withTimeout(sql`select 1`.execute(handle.db), READY_TIMEOUT_MS)
        return { status: 'ready' as const }
      } catch (err) {
        if (err instanceof ApiError) throw err
        if (err instanceof MigrationError) throw new ApiError(503, 'NOT_READY', err.message)
        request.log.warn({ err }, 'readiness check failed')
        throw new ApiError(503, 'DATABASE_UNAVAILABLE', 'The database does not answer.')
      }
    },
  )
}
