/**
 * Applies one pushed batch in ONE transaction:
 * 1. check each record on its own (envelope bounds, kind, payload schema, text);
 * 2. claim every id in `applied_record` with insert-on-conflict-do-nothing, in id order. An id
 *    already there is a replay: it gets the outcome stored with it (`duplicate`, or the original
 *    refusal), without being judged again, from any device or server instance;
 * 3. authorise the records this transaction claimed, per kind (one call per kind);
 * 4. apply them, per kind, each kind in a savepoint; a kind that fails is applied again record by
 *    record, so only the record that fails is refused (`UNPROCESSABLE`) and the rest are stored.
 * Every final outcome is stored with its id. Not stored (so the record is judged again when it
 * comes back): a kind this server does not know yet and a refusal that only says "later".
 * A record older than the ledger keeps ids (ledgerRetention.ts) is answered from the ledger if
 * it is still there, else refused `TOO_OLD` without a ledger row (its month may be gone).
 */
import { sql, type Kysely } from 'kysely'
import { RECORD_TIME_MAX, RECORD_TIME_MIN, type PushBody, type PushRecord, type PushResult } from '../../../src/protocol/sync.ts'
import type { Database } from '../../db/database.ts'
import { grantsOf, type Grant } from '../../shared/authz.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { KINDS, type RegisteredKind } from './kinds/index.ts'
import type { AcceptedRecord, KindContext, Refusal } from './kinds/kind.ts'
import { isTooOld, ledgerMaxAgeDays, TOO_OLD_MESSAGE } from './ledgerRetention.ts'
import { markReports } from '../reports/reportFold.ts'
import { touchedByPush } from '../reports/reportStats.repository.ts'

type Rejected = Extract<PushResult, { status: 'rejected' }>

const rejected = (id: string, code: string, message: string, field?: string): Rejected =>
  field ? { id, status: 'rejected', code, message, field } : { id, status: 'rejected', code, message }

/** Refusals that say "not now" rather than "never": not stored, so the resend is judged afresh. */
const TRANSIENT_REFUSALS = new Set<string>(['RATE_LIMITED'])

/**
 * The most records a device may say it holds. A year offline at a heavy user's pace (a study
 * event a minute of study, roll calls, quizzes) is ~25,000; beyond this the count is not believed.
 */
export const OUTBOX_COUNT_MAX = 100_000

let maxAgeDays: number | undefined
/** LEDGER_MAX_AGE_DAYS, read once (main.ts reads it at start, so a bad value stops the server there). */
const ledgerMaxAge = () => (maxAgeDays ??= ledgerMaxAgeDays())

/** A record whose kind is known, with its refusal if `check` already refused it. */
interface Candidate {
  sent: PushRecord
  kind: RegisteredKind
  record: AcceptedRecord<unknown>
  refusal?: Rejected
}

/** A claimed record waiting for its kind's rule and handler, with the context they run in. */
interface Pending {
  kind: RegisteredKind
  record: AcceptedRecord<unknown>
  ctx: KindContext
}

export async function applyPushBatch(
  db: Kysely<Database>,
  auth: AuthContext,
  body: PushBody,
  receivedAt = Date.now(),
  kinds: ReadonlyMap<string, RegisteredKind> = KINDS,
): Promise<PushResult[]> {
  const answers = new Map<string, PushResult>()
  const candidates: Candidate[] = []
  const tooOld: string[] = []
  const firstSeen = new Set<string>()
  for (const r of body.records) {
    if (firstSeen.has(r.id)) continue
    firstSeen.add(r.id)
    const kind = kinds.get(r.kind)
    // Never stored: once this server (or the next one in a rolling deploy) knows the kind, it applies.
    if (!kind) answers.set(r.id, rejected(r.id, 'UNKNOWN_KIND', `This server does not accept records of kind "${r.kind}".`, 'kind'))
    else if (isTooOld(r.id, ledgerMaxAge(), receivedAt)) tooOld.push(r.id)
    else candidates.push(check(r, kind, auth, receivedAt))
  }

  // Savepoints cost two statements per kind and step; a batch whose every kind applies whole (the
  // rule) needs none. Only when one fails is the batch run again, each kind in its savepoint.
  const before = new Map(answers)
  try {
    await db.transaction().execute((trx) => applyClaimed(trx, auth, body, receivedAt, candidates, tooOld, answers, false))
  } catch (err) {
    if (!(err instanceof NeedsIsolation)) throw err
    answers.clear()
    for (const [id, answer] of before) answers.set(id, answer)
    await db.transaction().execute((trx) => applyClaimed(trx, auth, body, receivedAt, candidates, tooOld, answers, true))
  }

  // One answer per record sent, in order; a repeat of an id inside the batch is a duplicate.
  const answered = new Set<string>()
  return body.records.map((r) => {
    const answer = answers.get(r.id)!
    if (answered.has(r.id) && answer.status === 'applied') return { id: r.id, status: 'duplicate' }
    answered.add(r.id)
    return answer
  })
}

/**
 * Steps 2–4 and the device and report marks, in the batch's transaction. `careful`: each kind in
 * a savepoint, so a kind that fails is retried record by record; otherwise a failure throws
 * NeedsIsolation and the caller runs the batch again carefully.
 */
async function applyClaimed(
  trx: Kysely<Database>,
  auth: AuthContext,
  body: PushBody,
  receivedAt: number,
  candidates: Candidate[],
  tooOld: string[],
  answers: Map<string, PushResult>,
  careful: boolean,
): Promise<void> {
  let grants: Promise<Grant[]> | undefined
  const ctx: KindContext = { trx, auth, receivedAt, grants: () => (grants ??= grantsOf(trx, auth.personId)), batch: [] }

  const claimed = await claim(trx, auth, candidates, receivedAt)
  const replays = candidates.filter((c) => !claimed.has(c.sent.id))
  for (const [id, answer] of await storedOutcomes(trx, auth, [...replays.map((c) => c.sent.id), ...tooOld])) answers.set(id, answer)
  for (const id of tooOld) if (!answers.has(id)) answers.set(id, rejected(id, 'TOO_OLD', TOO_OLD_MESSAGE(ledgerMaxAge())))

  const pending: Pending[] = []
  for (const c of candidates) {
    if (!claimed.has(c.sent.id)) continue
    if (c.refusal) answers.set(c.sent.id, c.refusal)
    else pending.push({ kind: c.kind, record: c.record, ctx })
  }

  ctx.batch = pending.map((p) => ({ kind: p.kind.def.kind, record: p.record }))
  // Authorisation: per kind, one call for all its records.
  const allowed: Pending[] = []
  for (const group of groupByKind(pending)) {
    const refusals = await isolated(trx, careful, group, (items) => items[0]!.kind.def.authorize(items[0]!.ctx, items.map((p) => p.record)), ctx)
    for (const [i, p] of group.entries()) {
      const refusal = refusals[i]
      if (refusal === null) allowed.push(p)
      else await settle(trx, answers, p.record.id, refusal)
    }
  }

  // Each kind's handler gets its records in the order the device sent them (oldest first), not
  // in id order; kinds run in the order each first appears in the batch.
  const applied: Pending[] = []
  for (const group of groupByKind(allowed)) {
    const failures = await isolated(trx, careful, group, async (items) => {
      await items[0]!.kind.def.apply(items[0]!.ctx, items.map((p) => p.record))
      return items.map(() => null)
    })
    for (const [i, p] of group.entries()) {
      const failure = failures[i]
      if (failure) await settle(trx, answers, p.record.id, failure)
      else {
        answers.set(p.record.id, { id: p.record.id, status: 'applied' })
        applied.push(p)
      }
    }
  }

  await recordDevice(trx, auth, body, receivedAt, [...answers.values()].some((a) => a.status !== 'rejected'))
  // Reports follow through marks folded off this path (reports/reportFold.ts).
  const touched = await touchedByPush(trx, auth.personId, applied.map((p) => ({ ...p.record, kind: p.kind.def.kind })))
  await markReports(trx, touched.people, touched.meetingUnits, Date.now())
}

/**
 * Inserts a ledger row for every candidate (refused ones with their refusal; the others as
 * `applied`, which stands unless a rule or the handler refuses them before commit) and returns
 * the ids this transaction won. Sorted ids give every server instance the same lock order, so two
 * transactions claiming overlapping ids wait for each other instead of deadlocking; the loser
 * then finds the winner's committed outcome.
 */
async function claim(trx: Kysely<Database>, auth: AuthContext, candidates: Candidate[], receivedAt: number): Promise<Set<string>> {
  const byId = [...candidates].sort((a, b) => (a.sent.id < b.sent.id ? -1 : a.sent.id > b.sent.id ? 1 : 0))
  const claimed = new Set<string>()
  for (const chunk of chunks(byId, 500)) {
    const rows = await trx
      .insertInto('applied_record')
      .values(
        chunk.map(({ sent, kind, refusal }) => ({
          id: sent.id,
          kind: kind.def.kind,
          person_id: auth.personId,
          // A refused record's own deviceId may be what was wrong with it (a NUL): keep the batch's.
          device_id: refusal?.field === 'deviceId' ? '' : sent.deviceId,
          created_at: refusal?.field === 'createdAt' ? 0 : sent.createdAt,
          corrected_at: refusal?.field === 'createdAt' || refusal?.field === 'correctedAt' ? null : (sent.correctedAt ?? null),
          received_at: receivedAt,
          replaces: sent.replaces ?? null,
          // Every row names every column: SQLite fills a column missing from some rows with NULL, not its default.
          status: refusal ? ('rejected' as const) : ('applied' as const),
          code: refusal?.code ?? null,
          message: refusal?.message ?? null,
          field: refusal?.field ?? null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute()
    for (const row of rows) claimed.add(row.id)
  }
  return claimed
}

/**
 * The answers to ids already in the ledger. An id of this person's gets its stored outcome; an id
 * held by somebody else is refused rather than confirmed, so ids cannot be probed or stolen.
 */
async function storedOutcomes(trx: Kysely<Database>, auth: AuthContext, ids: string[]): Promise<Map<string, PushResult>> {
  const out = new Map<string, PushResult>()
  for (const chunk of chunks(ids, 500)) {
    const rows = await trx.selectFrom('applied_record').select(['id', 'person_id', 'status', 'code', 'message', 'field']).where('id', 'in', chunk).execute()
    for (const row of rows) {
      if (row.person_id !== auth.personId) out.set(row.id, rejected(row.id, 'ID_TAKEN', 'Another record already uses this id; make the record again.'))
      else if (row.status === 'applied') out.set(row.id, { id: row.id, status: 'duplicate' })
      else out.set(row.id, rejected(row.id, row.code ?? 'INVALID_PAYLOAD', row.message ?? '', row.field ?? undefined))
    }
  }
  return out
}

/** A claimed record was refused: store the refusal with its id, or release the id when the refusal is only for now. */
async function settle(trx: Kysely<Database>, answers: Map<string, PushResult>, id: string, refusal: Refusal | Failure): Promise<void> {
  answers.set(id, rejected(id, refusal.code, refusal.message, refusal.field))
  if (TRANSIENT_REFUSALS.has(refusal.code)) {
    await trx.deleteFrom('applied_record').where('id', '=', id).execute()
  } else {
    await trx.updateTable('applied_record').set({ status: 'rejected', code: refusal.code, message: refusal.message, field: refusal.field ?? null }).where('id', '=', id).execute()
  }
}

/**
 * What each device last told us about its outbox (supervisors' data freshness). A push whose
 * every record was refused only counts as contact: its count is not believed. Otherwise the count
 * is at least the batch and at most OUTBOX_COUNT_MAX.
 */
async function recordDevice(trx: Kysely<Database>, auth: AuthContext, body: PushBody, receivedAt: number, anyAccepted: boolean): Promise<void> {
  // A client that sends no count (an old one) tells us nothing: 0, as before.
  const outboxCount = body.outboxCount === undefined ? 0 : Math.min(Math.max(body.outboxCount, body.records.length), OUTBOX_COUNT_MAX)
  const outbox = anyAccepted ? { outbox_count: outboxCount, pending_count: Math.max(0, outboxCount - body.records.length) } : {}
  await trx
    .insertInto('sync_device')
    .values({ person_id: auth.personId, device_id: body.deviceId, last_push_at: receivedAt, ...outbox })
    .onConflict((oc) => oc.columns(['person_id', 'device_id']).doUpdateSet({ last_push_at: receivedAt, ...outbox }))
    .execute()
}

/** A record the database (or a handler) could not take although every rule allowed it. */
interface Failure {
  code: 'UNPROCESSABLE'
  message: string
  field?: undefined
}

const UNPROCESSABLE: Failure = {
  code: 'UNPROCESSABLE',
  message: 'The server could not store this record. It was set aside; the rest of your records were saved.',
}

/** A kind failed in a batch run without savepoints: run the batch again with them. */
class NeedsIsolation extends Error {}

/**
 * Runs `work` (one result per item) over the whole group. Carefully, in a savepoint: if it fails
 * for a reason that will not go away, rolls the group back and runs it again item by item, each
 * in its own savepoint, so only the items that fail are lost (answered `UNPROCESSABLE`). With
 * `fresh`, each item alone runs in a copy of that context: kinds keep what their rule decided per
 * context. Not carefully (no savepoint), such a failure throws NeedsIsolation. A failure that may
 * pass on a retry (deadlock, lost connection) fails the batch either way.
 */
async function isolated<T extends { ctx: KindContext }, R>(
  trx: Kysely<Database>,
  careful: boolean,
  group: T[],
  work: (items: T[]) => Promise<R[]>,
  fresh?: KindContext,
): Promise<(R | Failure)[]> {
  if (!careful) {
    try {
      return await work(group)
    } catch (err) {
      throw isFinalFailure(err) ? new NeedsIsolation('a kind failed', { cause: err }) : err
    }
  }
  const whole = await inSavepoint(trx, () => work(group))
  if (whole.ok) return whole.value
  const out: (R | Failure)[] = []
  for (const item of group) {
    const alone = fresh ? { ...item, ctx: { ...fresh } } : item
    const one = await inSavepoint(trx, () => work([alone]))
    if (one.ok) {
      if (fresh) item.ctx = alone.ctx
      out.push(one.value[0]!)
    } else out.push(UNPROCESSABLE)
  }
  return out
}

async function inSavepoint<V>(trx: Kysely<Database>, run: () => Promise<V>): Promise<{ ok: true; value: V } | { ok: false }> {
  await sql`savepoint push_part`.execute(trx)
  try {
    const value = await run()
    await sql`release savepoint push_part`.execute(trx)
    return { ok: true, value }
  } catch (err) {
    if (!isFinalFailure(err)) throw err
    await sql`rollback to savepoint push_part`.execute(trx)
    await sql`release savepoint push_part`.execute(trx)
    return { ok: false }
  }
}

/** PostgreSQL gave up on the transaction (deadlock, serialization): safe to retry the batch. */
export const RETRYABLE_PG = new Set(['40001', '40P01'])

/**
 * Would this error happen again for the same record? Bad data (PostgreSQL classes 22, 23), a
 * statement the handler got wrong (42) or an error of the handler's own: yes, the record is
 * refused. Anything about the connection, locks or resources: no, the whole batch is retried.
 */
function isFinalFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return true
  if (/^[0-9A-Z]{5}$/.test(code)) return /^(22|23|42)/.test(code)
  if (code.startsWith('SQLITE_')) return !/^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|INTERRUPT)/.test(code)
  return false
}

/** Checks one record on its own: what it is refused for is stored with its id (see `claim`). */
function check(r: PushRecord, kind: RegisteredKind, auth: AuthContext, receivedAt: number): Candidate {
  const record: AcceptedRecord<unknown> = {
    id: r.id,
    payload: r.payload,
    createdAt: r.createdAt,
    // The device's best idea of when, never later than the server got it (docs/sync-protocol.md, "Time").
    at: Math.min(r.correctedAt ?? r.createdAt, receivedAt),
    deviceId: r.deviceId,
    personId: auth.personId,
  }
  const refuse = (message: string, field: string): Candidate => ({ sent: r, kind, record, refusal: rejected(r.id, 'INVALID_PAYLOAD', message, field) })
  for (const field of ['createdAt', 'correctedAt'] as const) {
    const t = r[field]
    if (t !== undefined && !(t >= RECORD_TIME_MIN && t < RECORD_TIME_MAX)) return refuse(`${field} is not a time between 2020 and 2100`, field)
  }
  if (!isStorableText(r.deviceId)) return refuse('deviceId holds a character that is not text', 'deviceId')
  if (!kind.validator.Check(r.payload)) {
    const first = kind.validator.Errors(r.payload)[0]
    const path = (first?.instancePath ?? '').split('/').filter(Boolean)
    const params = first?.params as Record<string, unknown> | undefined
    const named = params?.requiredProperties ?? params?.additionalProperties ?? params?.missingProperty
    if (Array.isArray(named) && typeof named[0] === 'string') path.push(named[0])
    else if (typeof named === 'string') path.push(named)
    const field = ['payload', ...path].join('.')
    return refuse(`${field} ${first?.message ?? 'is invalid'}`, field)
  }
  const dirty = dirtyTextPath(r.payload, 'payload')
  if (dirty) return refuse(`${dirty} holds a character that is not text (NUL or half of a surrogate pair)`, dirty)
  return { sent: r, kind, record }
}

/**
 * Text PostgreSQL cannot store (NUL) or that is not Unicode (a lone surrogate, which drivers turn
 * into U+FFFD): one walk over any kind's payload, so no kind can forget it. Returns the first path.
 */
function dirtyTextPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = dirtyTextPath(v, `${path}.${i}`)
      if (found) return found
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = isStorableText(k) ? dirtyTextPath(v, `${path}.${k}`) : path
      if (found) return found
    }
  }
  return undefined
}

/** A NUL (PostgreSQL refuses it in text), or half of a surrogate pair (not Unicode). */
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export const isStorableText = (s: string): boolean => !NOT_TEXT.test(s)

/** Records of one kind that run in one context, groups in order of first appearance. */
function groupByKind(items: Pending[]): Pending[][] {
  const groups: Pending[][] = []
  for (const p of items) {
    const group = groups.find((g) => g[0]!.kind === p.kind && g[0]!.ctx === p.ctx)
    if (group) group.push(p)
    else groups.push([p])
  }
  return groups
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
