/**
 * Logs: one JSON line per event for machines (journald, Loki…), readable lines when a person
 * runs the server in a terminal. Either way no secret or personal data is written: logs are
 * kept, copied and read by people who may not see members' phones, passwords or words.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import type { LoggerOptions } from 'pino'

export type LogFormat = 'json' | 'pretty'

/** LOG_FORMAT=json|pretty; unset, pretty when stdout is a terminal and JSON otherwise. */
export function logFormatFrom(value: string | undefined, stdoutIsTty: boolean): LogFormat {
  const text = value?.trim() ?? ''
  if (text === '') return stdoutIsTty ? 'pretty' : 'json'
  if (text === 'json' || text === 'pretty') return text
  throw new Error(`LOG_FORMAT must be json or pretty, not "${text}"`)
}

/**
 * Paths pino replaces before a line is written. Fastify logs no headers or bodies itself; these
 * catch an object logged by hand. `err.detail`: PostgreSQL quotes the row values a constraint
 * refused (a phone in a unique violation).
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.phone',
  'err.detail',
]

/**
 * A request's URL with every query value masked, keys kept: `?q=138…` (a phone or name search),
 * `lat`/`lng` (where a member stands) and opaque cursors (which may carry a sort key such as a
 * name) never reach a log. Paths carry ids only.
 */
export function urlForLog(url: string): string {
  const at = url.indexOf('?')
  if (at < 0) return url
  const keys = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    // A key no route takes (`?13800000001`) could be the secret itself: only name-like keys pass.
    .map((pair) => pair.split('=')[0]!)
    .map((key) => (/^[A-Za-z][\w.-]{0,39}$/.test(key) ? key : '~'))
  return `${url.slice(0, at)}?${keys.map((k) => `${k}=~`).join('&')}`
}

export function loggerOptions({ level, format }: { level: string; format: LogFormat }): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: urlForLog(request.url), remoteAddress: request.ip }),
    },
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } } }
      : {}),
  }
}

/**
 * One line per request, when it is answered, with its method and URL (Fastify's own logging writes
 * two: "incoming request" and "request completed"). At a morning peak every line is a synchronous
 * write on the event loop; the request metrics (shared/metrics.ts) carry the counts and latencies,
 * the line is for following one request.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}
