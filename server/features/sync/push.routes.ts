import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses } from '../../../src/protocol/common.ts'
import { PUSH_MAX_BYTES, PushBody, PushResponse } from '../../../src/protocol/sync.ts'
import type { Database } from '../../db/database.ts'
import { requireAuth } from '../../shared/authz.ts'
import { countPush } from '../../shared/metrics.ts'
import { ApiError } from '../../shared/errors.ts'
import { applyPushBatch, isStorableText, RETRYABLE_PG } from './push.repository.ts'

export const pushRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.post(
    '/api/v1/sync/push',
    {
      // The envelope is checked before any record is looked at: a malformed batch writes nothing.
      bodyLimit: PUSH_MAX_BYTES,
      schema: {
        tags: ['sync'],
        description:
          'Push outbox records. Each record is applied at most once, keyed by its id; the answer lists ' +
          'applied / duplicate / rejected per record. Replaying a batch is always safe.',
        body: PushBody,
        response: { 200: PushResponse, ...errorResponses(400, 401, 413, 503) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const receivedAt = Date.now()
      // Stored with every record of the batch: text the database can hold, or the envelope is bad.
      if (!isStorableText(request.body.deviceId)) {
        throw new ApiError(400, 'VALIDATION', 'body.deviceId holds a character that is not text', 'body.deviceId')
      }
      try {
        const results = await applyPushBatch(db, auth, request.body, receivedAt)
        countPush(results, request.body.outboxCount)
        return { results, receivedAt }
      } catch (err) {
        const code = (err as { code?: unknown }).code
        if (typeof code === 'string' && RETRYABLE_PG.has(code)) {
          throw new ApiError(503, 'BUSY', 'The server is busy. The batch will be sent again.', undefined, { 'retry-after': '1' })
        }
        throw err
      }
    },
  )
}
