import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { auditRoutes } from './audit.routes.ts'
import { importRoutes } from './import.routes.ts'
import { peopleRoutes } from './people.routes.ts'
import { unitRoutes } from './units.routes.ts'

/** People and organisation administration (docs/admin.md); every route is under /api/v1/admin. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  await app.register(unitRoutes, { db })
  await app.register(peopleRoutes, { db })
  await app.register(importRoutes, { db })
  await app.register(auditRoutes, { db })
}
