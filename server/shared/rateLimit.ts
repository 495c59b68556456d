import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { ApiError } from './errors.ts'

export interface Limit {
  max: number
  windowMs: number
}

/**
 * Fixed-window counter kept in the database, not in memory, so every server instance behind
 * the load balancer counts the same hits. Throws 429 with Retry-After once `max` is passed.
 */
export async function hit(db: Kysely<Database>, key: string, limit: Limit, now = Date.now()): Promise<void> {
  const windowStart = now - (now % limit.windowMs)
  const row = await db
    .insertInto('rate_limit')
    .values({ key, window_start: windowStart, hits: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        // A new window restarts the count; the same window adds one.
        hits: eb
          .case()
          .when('rate_limit.window_start', '=', windowStart)
          .then(eb('rate_limit.hits', '+', 1))
          .else(1)
          .end(),
        window_start: windowStart,
      })),
    )
    .returning(['hits'])
    .executeTakeFirstOrThrow()
  if (row.hits > limit.max) {
    const retryAfter = Math.ceil((windowStart + limit.windowMs - now) / 1000)
    throw new ApiError(429, 'RATE_LIMITED', 'Too many attempts. Try again later.', undefined, {
      'retry-after': String(retryAfter),
    })
  }
}

export async function clear(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limit').where('key', '=', key).execute()
}
