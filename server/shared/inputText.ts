/**
 * Input refused everywhere, checked in one hook for every route: a NUL character or a lone
 * UTF-16 surrogate in any string (path parameter, query, body, nested, object keys too), and a
 * number that is not finite. PostgreSQL cannot store a NUL in text (it answered 500), a lone
 * surrogate is not text in any encoding the database or a CSV export writes, and Ajv lets
 * `?year=Infinity` through as an integer. The answer is a 400 naming the field, before any
 * route code runs.
 */
import type { FastifyInstance } from 'fastify'
import { ApiError } from './errors.ts'

/**
 * Body sub-trees checked somewhere else, by route. A push batch carries many records from one
 * outbox; each record's text (payload, deviceId, kind) is checked inside the push pipeline and the
 * record rejected on its own, so one bad record must not turn the whole batch (and every good
 * record in it) into a 400.
 */
const CHECKED_ELSEWHERE: Record<string, RegExp> = {
  'POST /api/v1/sync/push': /^body\.records\.\d+\.(payload|deviceId|kind)(\.|$)/,
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function registerInputCheck(app: FastifyInstance): void {
  // preHandler: after the schema has coerced the query (so `Infinity` is a number by now) and
  // after authentication, so anonymous callers still meet the 401 first.
  app.addHook('preHandler', async (request) => {
    const skip = CHECKED_ELSEWHERE[`${request.method} ${request.routeOptions.url}`]
    for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
      const bad = findRefused(value, part, skip)
      if (bad) throw new ApiError(400, 'VALIDATION', `${bad.field} ${bad.reason}`, bad.field)
    }
  })
}

interface Refusal {
  field: string
  reason: string
}

/** The first refused value under `value`, named like a schema error (`body.records.0.kind`). */
export function findRefused(value: unknown, field: string, skip?: RegExp): Refusal | undefined {
  if (skip?.test(field)) return undefined
  if (typeof value === 'string') return textRefusal(value, field)
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field, reason: 'must be a finite number' }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findRefused(value[i], `${field}.${i}`, skip)
      if (bad) return bad
    }
    return undefined
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, inner] of Object.entries(value)) {
      const bad = textRefusal(key, `${field}.${key}`) ?? findRefused(inner, `${field}.${key}`, skip)
      if (bad) return bad
    }
  }
  return undefined
}

function textRefusal(text: string, field: string): Refusal | undefined {
  if (text.includes('\u0000')) return { field, reason: 'must not contain a NUL character' }
  if (LONE_SURROGATE.test(text)) return { field, reason: 'must not contain a lone surrogate (text that is not valid Unicode)' }
  return undefined
}
