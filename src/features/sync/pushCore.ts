/**
 * The push half of sync, framework-free: the page's engine and the service worker's Background
 * Sync handler both call `drain`. One call sends the oldest outbox records in batches until the
 * outbox is empty or something stops it, and reports why it stopped.
 *
 * The one rule: a record leaves the outbox only in the transaction that handles the server's
 * answer for it: deleted when `applied`/`duplicate`, moved to `deadLetter` when `rejected`.
 * Any failure before that leaves it where it was, and resending is harmless (the server keys
 * records by id).
 */
import type { DeadLetterRecord, OutboxRecord, PocketDb, StoredSession } from '../../db/db.ts'
import type { PushRecord, PushResponse, PushResult } from '../../protocol/sync.ts'
import { learnOffset, offsetFromDateHeader, serverTime } from './clock.ts'
import { loadDeviceId } from './outbox.db.ts'

// Mirrors PUSH_MAX_RECORDS / PUSH_MAX_BYTES in src/protocol/sync.ts (a type-only import there
// keeps TypeBox out of the phone's bundle).
export const MAX_RECORDS = 500
export const MAX_BYTES = 256 * 1024

export const SYNC_STATE_KEY = 'syncState'
/** The Background Sync tag the page registers and the service worker answers. */
export const BACKGROUND_SYNC_TAG = 'pocket-party-school-push'

/** What the sync status shows, kept in `meta` so every tab and the service worker share it. */
export interface SyncState {
  /** Server-corrected time of the last answered push. */
  lastSyncedAt?: number
  lastAttemptAt?: number
  lastError?: string
}

export interface PushEnv {
  db: PocketDb
  fetch: (url: string, init: RequestInit) => Promise<Response>
  /** '' in the browser (same origin); http://host:port in Node. */
  baseUrl?: string
  now?: () => number
  /** Batch limits; lowered after a 413. */
  limits?: { maxRecords: number; maxBytes: number }
  /**
   * A request that hangs (a half-dead village link) is abandoned after this long, so it cannot
   * hold the push lock for ever; the batch is simply sent again later. Default 30 s.
   */
  timeoutMs?: number
  /** This app's version: a record held for an unknown kind is tried again by the next version. */
  appVersion?: string
  /** Where the search for a record the server fails on stands (kept between drains by the engine). */
  split?: SplitState
}

/**
 * A batch the server keeps failing on (5xx, or an answer that makes no sense) may hold one record
 * that breaks the server. After two failures the batch is halved, and halved again on each further
 * failure, until that record is alone; alone it fails twice and becomes a suspect, which is then
 * skipped so the rest go through. Only when a batch got through AFTER the suspect failed is the
 * suspect tried alone once more, and refused if it still fails: a server that fails everything
 * (an outage) thereby never gets a record refused. Each success doubles the batch again.
 */
export interface SplitState {
  /** Most records the next batch may hold (undefined: the usual limits). */
  cap?: number
  /** Server failures at the current cap. */
  strikes: number
  /** A batch got through since the last server failure. */
  healthy: boolean
}

/** How long a record of a kind the server does not know waits before it is tried again. */
export const HOLD_UNKNOWN_KIND_MS = 60 * 60_000

export type BatchOutcome =
  | { type: 'idle' }
  | { type: 'signedOut' }
  | { type: 'sent'; applied: number; duplicate: number; rejected: number }
  | { type: 'shrink' }
  | { type: 'retry'; reason: 'network' | 'server' | 'rateLimited'; status?: number; retryAfterMs?: number }
  | { type: 'unauthorized'; token: string }
  | { type: 'failed'; status: number; code: string; message: string }

export type DrainResult =
  | { type: 'done'; applied: number; duplicate: number; rejected: number }
  | { type: 'signedOut' }
  | { type: 'needsSignIn' }
  | { type: 'retry'; reason: 'network' | 'server' | 'rateLimited'; status?: number; retryAfterMs?: number }
  | { type: 'failed'; status: number; code: string; message: string }

const encoder = new TextEncoder()

async function readSession(db: PocketDb): Promise<StoredSession | undefined> {
  return (await db.meta.get('session'))?.value as StoredSession | undefined
}

/** Sends one batch (oldest first, ≤ limits) and settles its records by the answer. */
export async function pushBatch(env: PushEnv): Promise<BatchOutcome> {
  const { db } = env
  const now = env.now ?? Date.now
  const limits = env.limits ?? { maxRecords: MAX_RECORDS, maxBytes: MAX_BYTES }
  const session = await readSession(db)
  if (!session?.token) return { type: 'signedOut' }
  const me = session.profile?.id
  const deviceId = await loadDeviceId(db)
  const split = (env.split ??= { strikes: 0, healthy: false })
  const startedAt = now()

  // Records made under another person's session wait for that person (the server would
  // otherwise file them under whoever is signed in now). Records of a kind the server does not
  // know yet wait out their hold without blocking the ones behind them.
  const sendable = await db.outbox
    .filter((r) => (!r.personId || !me || r.personId === me) && !isHeld(r, startedAt, env.appVersion))
    .limit(limits.maxRecords)
    .toArray()
  if (sendable.length === 0) return { type: 'idle' }
  const head = sendable[0]!
  // A suspect is tried alone once the server proved healthy; until then the others go first.
  const retest = head.suspect === true && split.healthy
  const others = sendable.filter((r) => !r.suspect)
  const candidates = (retest || others.length === 0 ? [head] : others).slice(0, split.cap ?? limits.maxRecords)

  const envelope = `{"deviceId":${JSON.stringify(deviceId)},"outboxCount":0000000000,"records":[]}`
  let bytes = encoder.encode(envelope).length
  const batch: OutboxRecord[] = []
  const parts: string[] = []
  for (const r of candidates) {
    const json = JSON.stringify(envelopeOf(r, deviceId))
    const size = encoder.encode(json).length + (parts.length > 0 ? 1 : 0)
    if (bytes + size > limits.maxBytes) break
    bytes += size
    batch.push(r)
    parts.push(json)
  }
  if (batch.length === 0) {
    // One record bigger than any batch may be: the member must see it, not wait forever.
    await settle(db, [candidates[0]!], [
      { id: candidates[0]!.id, status: 'rejected', code: 'TOO_LARGE', message: 'This record is too large to send.' },
    ], now())
    return { type: 'sent', applied: 0, duplicate: 0, rejected: 1 }
  }

  const outboxCount = await db.outbox.count()
  const body = `{"deviceId":${JSON.stringify(deviceId)},"outboxCount":${outboxCount},"records":[${parts.join(',')}]}`
  const sentAt = now()
  let response: Response
  let text: string
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), env.timeoutMs ?? 30_000)
  try {
    response = await env.fetch(`${env.baseUrl ?? ''}/api/v1/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${session.token}` },
      body,
      signal: abort.signal,
    })
    // Read the body under the same timeout: a stalled body is as good as no answer.
    text = await response.text()
  } catch {
    await noteFailure(db, batch, 'NETWORK', now())
    return { type: 'retry', reason: 'network' }
  } finally {
    clearTimeout(timer)
  }
  const offset = offsetFromDateHeader(response.headers.get('date'), sentAt, now())
  if (offset !== undefined) await learnOffset(db, offset, now())

  if (response.ok) {
    // A captive portal on village Wi-Fi answers 200 with a login page: that is no answer at all.
    const data = parseJson(text) as PushResponse | undefined
    if (data === undefined) {
      await noteFailure(db, batch, 'BAD_ANSWER', now())
      return { type: 'retry', reason: 'network' }
    }
    // JSON from our server that does not answer the batch: a server fault like a 5xx.
    if (!Array.isArray(data?.results)) return serverFailure(env, batch, retest, 'BAD_ANSWER', now(), { type: 'retry', reason: 'server', status: response.status })
    const counts = await settle(db, batch, data.results, now(), env.appVersion)
    await db.meta.put({ key: SYNC_STATE_KEY, value: { lastSyncedAt: serverTime(now()), lastAttemptAt: now() } satisfies SyncState })
    await noteSuccess(env, split, batch.some((r) => r.suspect === true), limits.maxRecords)
    return { type: 'sent', ...counts }
  }

  const error = (parseJson(text) ?? {}) as { code?: string; message?: string }
  const code = error.code ?? `HTTP_${response.status}`
  if (response.status === 401) return { type: 'unauthorized', token: session.token }
  if (response.status === 413 && batch.length > 1) {
    limits.maxRecords = Math.max(1, Math.floor(batch.length / 2))
    env.limits = limits
    return { type: 'shrink' }
  }
  if (response.status === 413) {
    await settle(db, batch, [{ id: batch[0]!.id, status: 'rejected', code: 'TOO_LARGE', message: error.message ?? 'Too large.' }], now())
    return { type: 'sent', applied: 0, duplicate: 0, rejected: 1 }
  }
  // The envelope was refused because of one record (e.g. a malformed id): set that record aside
  // for the member to see, so it cannot block every record behind it.
  const culprit = response.status === 400 ? /^body\.records\.(\d+)\b/.exec((error as { field?: string }).field ?? '') : null
  if (culprit && batch[Number(culprit[1])]) {
    const record = batch[Number(culprit[1])]!
    await settle(db, [record], [{ id: record.id, status: 'rejected', code: 'INVALID_RECORD', message: error.message ?? 'Invalid record.' }], now())
    return { type: 'sent', applied: 0, duplicate: 0, rejected: 1 }
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now())
  if (response.status === 408 || response.status >= 500) {
    return serverFailure(env, batch, retest, code, now(), { type: 'retry', reason: 'server', status: response.status, retryAfterMs })
  }
  await noteFailure(db, batch, code, now())
  // Rate limiting says nothing about the records: wait, do not split.
  if (response.status === 429) return { type: 'retry', reason: 'rateLimited', status: 429, retryAfterMs }
  return { type: 'failed', status: response.status, code, message: error.message ?? response.statusText }
}

/** The record as sent: the optional fields only when there is something to say. */
function envelopeOf(r: OutboxRecord, deviceId: string): PushRecord {
  return {
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    createdAt: r.createdAt,
    deviceId: r.deviceId || deviceId,
    ...(r.correctedAt !== undefined && r.correctedAt >= MIN_CORRECTED_AT && r.correctedAt <= MAX_CORRECTED_AT ? { correctedAt: r.correctedAt } : {}),
    ...(r.replaces ? { replaces: r.replaces } : {}),
  }
}

// The bounds the server accepts for `correctedAt` (src/protocol/sync.ts): 2020 to 2100.
const MIN_CORRECTED_AT = 1577836800000
const MAX_CORRECTED_AT = 4102444800000

function isHeld(r: OutboxRecord, now: number, appVersion: string | undefined): boolean {
  if (r.heldUntil === undefined || r.heldUntil <= now) return false
  return appVersion === undefined || r.heldVersion === appVersion
}

/** A 5xx or a senseless answer: counts toward finding a record the server fails on (see SplitState). */
async function serverFailure(env: PushEnv, batch: OutboxRecord[], retest: boolean, code: string, now: number, out: BatchOutcome): Promise<BatchOutcome> {
  const { db } = env
  const split = env.split!
  split.healthy = false
  split.strikes++
  if (retest) {
    // It failed alone again although another batch just got through: the record is the problem.
    await settle(db, batch, [{ id: batch[0]!.id, status: 'rejected', code: 'SERVER_FAILED', message: `The server failed on this record (${code}).` }], now)
    split.cap = undefined
    split.strikes = 0
    return { type: 'sent', applied: 0, duplicate: 0, rejected: 1 }
  }
  await noteFailure(db, batch, code, now)
  if (batch.length === 1) {
    if (split.strikes >= 2) {
      await db.outbox.update(batch[0]!.seq!, { suspect: true })
      split.strikes = 0
    }
  } else if (split.strikes >= (split.cap === undefined ? 2 : 1)) {
    split.cap = Math.ceil(batch.length / 2)
    split.strikes = 0
  }
  return out
}

/** A batch got through: the server is healthy, the batch may grow again. */
async function noteSuccess(env: PushEnv, split: SplitState, sentSuspect: boolean, maxRecords: number): Promise<void> {
  split.healthy = true
  split.strikes = 0
  if (split.cap !== undefined) split.cap = split.cap * 2 >= maxRecords ? undefined : split.cap * 2
  // A suspect that went through after all was failed by an outage, not by itself: so were the others.
  if (sentSuspect) await env.db.outbox.filter((r) => r.suspect === true).modify((r) => void delete r.suspect)
}

/**
 * Sends batches until the outbox holds nothing sendable, or stops with the reason. After a 401 it
 * tries once more if a fresh token appeared meanwhile (another tab signed in again).
 */
export async function drain(env: PushEnv): Promise<DrainResult> {
  const totals = { applied: 0, duplicate: 0, rejected: 0 }
  let retriedAuth = false
  for (;;) {
    const out = await pushBatch(env)
    switch (out.type) {
      case 'sent':
        totals.applied += out.applied
        totals.duplicate += out.duplicate
        totals.rejected += out.rejected
        continue
      case 'shrink':
        continue
      case 'idle':
        return { type: 'done', ...totals }
      case 'unauthorized': {
        const fresh = (await readSession(env.db))?.token
        if (!retriedAuth && fresh && fresh !== out.token) {
          retriedAuth = true
          continue
        }
        await saveState(env.db, { lastError: 'UNAUTHENTICATED' }, env.now)
        return { type: 'needsSignIn' }
      }
      case 'retry':
        await saveState(env.db, { lastError: out.reason === 'network' ? 'NETWORK' : out.reason === 'rateLimited' ? 'RATE_LIMITED' : 'SERVER' }, env.now)
        return out
      case 'failed':
        await saveState(env.db, { lastError: out.code }, env.now)
        return out
      case 'signedOut':
        return out
    }
  }
}

/**
 * Applies the server's answers to the batch in ONE transaction. A kind the server does not know
 * (a phone newer than the server, mid-deploy) stays in the outbox on hold; a correction's answer
 * is noted on the refused record it replaces, so the refused list can say what became of it.
 */
async function settle(
  db: PocketDb,
  batch: OutboxRecord[],
  results: PushResult[] | Array<{ id: string; status: 'rejected'; code: string; message: string; field?: string }>,
  now: number,
  appVersion?: string,
) {
  const byId = new Map(batch.map((r) => [r.id, r]))
  const counts = { applied: 0, duplicate: 0, rejected: 0 }
  const done: number[] = []
  const held: number[] = []
  const dead: DeadLetterRecord[] = []
  const corrections: Array<[string, 'accepted' | 'refused']> = []
  for (const result of results) {
    const record = byId.get(result.id)
    if (!record) continue
    byId.delete(result.id)
    if (result.status === 'rejected' && result.code === 'UNKNOWN_KIND') {
      held.push(record.seq!)
      continue
    }
    done.push(record.seq!)
    if (record.replaces) corrections.push([record.replaces, result.status === 'rejected' ? 'refused' : 'accepted'])
    if (result.status === 'rejected') {
      counts.rejected++
      const { seq: _seq, suspect: _s, ...rest } = record
      dead.push({ ...rest, code: result.code, message: result.message, ...(result.field ? { field: result.field } : {}), movedAt: now })
    } else {
      counts[result.status]++
    }
  }
  await db.transaction('rw', [db.outbox, db.deadLetter], async () => {
    if (dead.length > 0) await db.deadLetter.bulkPut(dead)
    await db.outbox.bulkDelete(done)
    for (const [id, correction] of corrections) await db.deadLetter.update(id, { correction })
    if (held.length > 0) {
      await db.outbox
        .where('seq')
        .anyOf(held)
        .modify((r) => {
          r.heldUntil = now + HOLD_UNKNOWN_KIND_MS
          if (appVersion !== undefined) r.heldVersion = appVersion
          r.lastError = 'UNKNOWN_KIND'
        })
    }
  })
  return counts
}

async function noteFailure(db: PocketDb, batch: OutboxRecord[], code: string, now: number): Promise<void> {
  await db.outbox
    .where('seq')
    .anyOf(batch.map((r) => r.seq!))
    .modify((r) => {
      r.attempts = (r.attempts ?? 0) + 1
      r.lastError = code
      r.lastAttemptAt = now
    })
}

async function saveState(db: PocketDb, patch: SyncState, now: () => number = Date.now): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const prev = ((await db.meta.get(SYNC_STATE_KEY))?.value ?? {}) as SyncState
    await db.meta.put({ key: SYNC_STATE_KEY, value: { ...prev, ...patch, lastAttemptAt: now() } })
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
