import type { FastifyError, FastifyInstance } from 'fastify'
import type { ApiErrorBody } from '../../src/protocol/common.ts'

/** An error a client can act on: a stable code, an HTTP status and a readable message. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
    /** Extra fields of the body a client acts on (e.g. when a lockout ends). */
    readonly extra: Pick<ApiErrorBody, 'lockedUntil'> = {},
  ) {
    super(message)
  }
}

export const unauthenticated = () => new ApiError(401, 'UNAUTHENTICATED', 'Sign in first.')
export const forbidden = () =>
  new ApiError(403, 'FORBIDDEN', 'This lies outside the organisation units where you hold a role.')
export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found.`)

/** Maps every failure to the ApiError body, naming the field for schema failures. */
export function registerErrorHandler(app: FastifyInstance, spaRoot?: string): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v)
      return reply.status(err.statusCode).send({ ...body(err.statusCode, err.code, err.message, err.field), ...err.extra })
    }
    if (err.validation) {
      const first = err.validation[0]
      const field = fieldOf(err.validationContext ?? 'body', first)
      return reply.status(400).send(body(400, 'VALIDATION', `${field} ${first?.message ?? 'is invalid'}`, field))
    }
    const status = err.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err }, 'request failed')
      return reply.status(500).send(body(500, 'INTERNAL', 'Something went wrong on the server.'))
    }
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST'
    return reply.status(status).send(body(status, code, err.message))
  })
  app.setNotFoundHandler((request, reply) => {
    // Deep links into the PWA (/study/…) get the app shell; unknown API paths and missing media
    // get a 404 body (an HTML page answered for a missing image would be cached as that image).
    if (spaRoot && request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/media/')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    }
    return reply.status(404).send(body(404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`))
  })
}

function body(statusCode: number, code: string, message: string, field?: string): ApiErrorBody {
  return field ? { statusCode, code, message, field } : { statusCode, code, message }
}

interface AjvIssue {
  instancePath?: string
  params?: Record<string, unknown>
  message?: string
}

/** "body.phone" from Ajv's "/phone", or from params.missingProperty for a required field. */
function fieldOf(context: string, issue: AjvIssue | undefined): string {
  const path = (issue?.instancePath ?? '').split('/').filter(Boolean)
  const missing = issue?.params?.missingProperty
  const extra = issue?.params?.additionalProperty
  if (typeof missing === 'string') path.push(missing)
  else if (typeof extra === 'string') path.push(extra)
  return [context, ...path].join('.')
}
