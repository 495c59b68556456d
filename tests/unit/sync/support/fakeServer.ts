/**
 * An in-memory stand-in for POST /api/v1/sync/push with the same contract as the real server
 * (dedupe by id, per-record validation, per-record answers) plus fault injection, so client
 * tests can run thousands of fault sequences in seconds. The real server's side of the
 * contract is proven in tests/server/sync/push*.test.ts.
 */
export type Fault =
  | 'dropRequest' // the request never reaches the server
  | 'dropResponse' // the server commits, then the answer is lost
  | 'status500'
  | 'status429'
  | 'status401'
  | 'captivePortal'

interface Sent {
  id: string
  kind: string
  payload: unknown
  createdAt: number
  deviceId: string
  correctedAt?: number
  replaces?: string
}

/** Kinds this server knows (a phone newer than the server sends others during a rolling deploy). */
const KNOWN_KINDS = new Set(['study_event'])

export class FakePushServer {
  /** id → how many times it was applied (must end at exactly 1). */
  readonly applied = new Map<string, number>()
  readonly stored = new Map<string, Sent & { personId: string }>()
  /** The first answer to each refused id. */
  readonly refused = new Map<string, { id: string; status: string; code: string; message: string; field?: string }>()
  readonly faults: Fault[] = []
  readonly tokens = new Map<string, string>([['tok', 'p1']])
  requests = 0
  /** Faults that really hit a request (a queued fault with no request after it never fires). */
  readonly faultsHit = new Map<Fault, number>()
  lastOutboxCount = -1
  online = true
  /** server clock − real clock */
  clockSkewMs = 0
  /**
   * A record this server cannot handle: any batch holding one answers 500 (a server bug one
   * record triggers), whatever else is in the batch.
   */
  poison?: (r: Sent) => boolean
  /** Every 500 whatever the batch holds (an outage), until set back to false. */
  down = false
  /** Record counts of every request that reached the server, in order. */
  readonly batchSizes: number[] = []
  /** Called after a request reached the server and committed, before answering (to kill a tab there). */
  afterCommit?: () => Promise<void> | void

  fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (!url.endsWith('/api/v1/sync/push')) throw new Error(`unexpected ${url}`)
    if (!this.online) throw new TypeError('Failed to fetch')
    const fault = this.faults.shift()
    if (fault) this.faultsHit.set(fault, (this.faultsHit.get(fault) ?? 0) + 1)
    if (fault === 'dropRequest') throw new TypeError('Failed to fetch')
    this.requests++
    const date = new Date(Date.now() + this.clockSkewMs).toUTCString()
    if (fault === 'status500') return json(500, { statusCode: 500, code: 'INTERNAL', message: 'boom' }, date)
    if (fault === 'status429') return json(429, { statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' }, date, { 'retry-after': '7' })
    if (fault === 'captivePortal') return new Response('<html>log in to Wi-Fi</html>', { status: 200, headers: { 'content-type': 'text/html' } })
    const token = String((init.headers as Record<string, string>).authorization ?? '').replace(/^Bearer /, '')
    const personId = this.tokens.get(token)
    if (fault === 'status401' || !personId) return json(401, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Sign in first.' }, date)
    const body = JSON.parse(String(init.body)) as { deviceId: string; outboxCount: number; records: Sent[] }
    if (new TextEncoder().encode(String(init.body)).length > 256 * 1024) return json(413, { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'too large' }, date)
    if (!body.deviceId || !Array.isArray(body.records) || body.records.length === 0 || body.records.length > 500) {
      return json(400, { statusCode: 400, code: 'VALIDATION', message: 'bad envelope' }, date)
    }
    const badId = body.records.findIndex((r) => !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id))
    if (badId >= 0) {
      const field = `body.records.${badId}.id`
      return json(400, { statusCode: 400, code: 'VALIDATION', message: `${field} must match pattern`, field }, date)
    }
    this.batchSizes.push(body.records.length)
    if (this.down || (this.poison && body.records.some(this.poison))) {
      return json(500, { statusCode: 500, code: 'INTERNAL', message: 'boom' }, date)
    }
    this.lastOutboxCount = body.outboxCount
    const results = body.records.map((r) => {
      // Like the real server: a replay of a refused id gets the first answer, whatever it carries now.
      const refused = this.refused.get(r.id)
      if (refused) return refused
      // An unknown kind keeps nothing, so a later server that knows it can still take it.
      if (!KNOWN_KINDS.has(r.kind)) return { id: r.id, status: 'rejected', code: 'UNKNOWN_KIND', message: `unknown kind ${r.kind}` }
      const problem = invalid(r)
      if (problem) {
        const answer = { id: r.id, status: 'rejected', code: 'INVALID_PAYLOAD', message: problem, field: 'payload.seconds' }
        this.refused.set(r.id, answer)
        return answer
      }
      const prior = this.stored.get(r.id)
      if (prior) return prior.personId === personId ? { id: r.id, status: 'duplicate' } : { id: r.id, status: 'rejected', code: 'ID_TAKEN', message: 'taken' }
      this.stored.set(r.id, { ...r, personId })
      this.applied.set(r.id, (this.applied.get(r.id) ?? 0) + 1)
      return { id: r.id, status: 'applied' }
    })
    await this.afterCommit?.()
    if (fault === 'dropResponse') throw new TypeError('Failed to fetch')
    return json(200, { results, receivedAt: Date.now() }, date)
  }
}

function invalid(r: Sent): string | undefined {
  const p = r.payload as { seconds?: unknown }
  if (typeof p?.seconds !== 'number' || !Number.isInteger(p.seconds) || p.seconds < 0 || p.seconds > 86_400) return 'payload.seconds must be <= 86400'
  return undefined
}

function json(status: number, body: unknown, date: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', date, ...headers } })
}
