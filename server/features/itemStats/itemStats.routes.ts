/**
 * Question quality for editors: course editors (课件编辑), supervisors and admins, whoever opens the
 * studio (content is shared by the whole tree, and the figures are aggregates of at least 30
 * attempts, never a person's answers).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses, PageQuery } from '../../../src/protocol/common.ts'
import { ItemStatsPage } from '../../../src/protocol/itemStats.ts'
import type { Database } from '../../db/database.ts'
import { grantsOf, requireAuth } from '../../shared/authz.ts'
import { opensStudio } from '../studio/studio.access.ts'
import { ApiError, forbidden } from '../../shared/errors.ts'
import { decodeCursor } from '../org/org.repository.ts'
import { flaggedItems } from './itemStats.repository.ts'

export const itemStatsRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/item-stats',
    {
      schema: {
        tags: ['quiz'],
        description: 'Flagged questions (≥ 30 attempts; discrimination < 0.2, or right share > 0.95 or < 0.05), lowest discrimination first (course editor, supervisor or admin).',
        querystring: PageQuery,
        response: { 200: ItemStatsPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const grants = await grantsOf(db, auth.personId)
      if (!grants.some(opensStudio)) throw forbidden()
      let after: [number, string] | undefined
      if (request.query.cursor !== undefined) {
        const decoded = decodeCursor(request.query.cursor)
        if (!decoded || !Number.isFinite(Number(decoded[0]))) throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
        after = [Number(decoded[0]), decoded[1]]
      }
      return flaggedItems(db, request.query.limit ?? 50, after)
    },
  )
}
