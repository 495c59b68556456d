import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { ApiError } from './errors.ts'

export interface Limit {
  max: number
  windowMs: number
}

/**
 * Fixed-window counter kept in the database, not in memory, so every server instance behind
 * the load balancer counts the same hits. Throws 429 with Retry-After and `lockedUntil` (the
 * window's end) once `max` is passed; `code` names what is limited (ACCOUNT_LOCKED for a phone).
 */
export async function hit(db: Kysely<Database>, key: string, limit: Limit, now = Date.now(), code = 'RATE_LIMITED'): Promise<void> {
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
    const lockedUntil = windowStart + limit.windowMs
    const retryAfter = Math.ceil((lockedUntil - now) / 1000)
    throw new ApiError(429, code, 'Too many attempts. Try again later.', undefined, { 'retry-after': String(retryAfter) }, { lockedUntil })
  }
}

export async function clear(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limit').where('key', '=', key).execute()
}
