import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { errorResponses } from '../../../src/protocol/common.ts'
import type { DbHandle } from '../../db/connect.ts'

const Health = Type.Object({ status: Type.Literal('ok'), database: Type.String() })

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
}
