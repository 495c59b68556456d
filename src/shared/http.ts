/**
 * The PWA's only door to the API. Adds the bearer token, turns every failure into an HttpError
 * with a stable code (mapped to an i18n message by `errorMessageKey`), and tells the network
 * status whether the server could be reached at all.
 */
import type { ApiErrorBody } from '@/protocol/common.ts'
import { markReachable, markUnreachable, noteServerAnswered } from './network.ts'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
    /** The whole error body, for the few answers that carry more (the studio's 409 with both versions). */
    readonly body?: unknown,
  ) {
    super(message)
  }
}

let tokenSource: () => string | undefined = () => undefined

/** The auth store registers how to read the current token (keeps this module store-free). */
export function useTokenFrom(source: () => string | undefined): void {
  tokenSource = source
}

let stepUp: () => Promise<boolean> = async () => false

/**
 * The step-up dialog registers itself here: when the server answers STEP_UP_REQUIRED (admin
 * actions and exports need the password within 15 minutes), it asks for the password and says
 * whether the action may be retried.
 */
export function onStepUpRequired(ask: () => Promise<boolean>): void {
  stepUp = ask
}

/** True when the answer asked for a step-up and the person has just entered the password: retry. */
export async function steppedUp(status: number, code: string | undefined): Promise<boolean> {
  return status === 403 && code === 'STEP_UP_REQUIRED' && (await stepUp())
}

/** The bearer header, for requests `api` cannot make: uploads that report progress (XMLHttpRequest, the tus client). */
export function authHeaders(): Record<string, string> {
  const token = tokenSource()
  return token ? { authorization: `Bearer ${token}` } : {}
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() }
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    markUnreachable()
    throw new HttpError(0, 'NETWORK', 'The server cannot be reached.')
  }
  // A good answer proves the server is back (the push engine retries at once); a 5xx or 429
  // says nothing new beyond what the push engine already reports.
  if (response.ok) noteServerAnswered()
  else if (response.status < 500 && response.status !== 429) markReachable()
  if (response.status === 204) return undefined as T
  const data: unknown = await response.json().catch(() => undefined)
  if (!response.ok) {
    const err = (data ?? {}) as Partial<ApiErrorBody>
    if (await steppedUp(response.status, err.code)) return api<T>(method, path, body)
    const retryAfter = Number(response.headers.get('retry-after')) || undefined
    throw new HttpError(response.status, err.code ?? `HTTP_${response.status}`, err.message ?? response.statusText, err.field, retryAfter, data)
  }
  return data as T
}

/** The i18n key of a readable message for any error a screen may show. */
export function errorMessageKey(err: unknown): string {
  if (err instanceof HttpError) {
    const known = [
      ...['NETWORK', 'INVALID_CREDENTIALS', 'RATE_LIMITED', 'VALIDATION', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
      ...['ACCOUNT_LOCKED', 'STEP_UP_REQUIRED', 'PASSWORD_CHANGE_REQUIRED', 'WRONG_PASSWORD'],
    ]
    return known.includes(err.code) ? `errors.${err.code}` : err.status >= 500 ? 'errors.SERVER' : 'errors.UNKNOWN'
  }
  return 'errors.UNKNOWN'
}
