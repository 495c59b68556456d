/**
 * Applies one pushed batch: validate each record by its kind, authorise it for the signed-in
 * person, then in ONE transaction claim the ids in `applied_record` with
 * insert-on-conflict-do-nothing and run each kind's handler for the ids this transaction won.
 * A replay (same id again, from any device or server instance) claims nothing and is answered
 * `duplicate`, so the client can resend a batch as often as the network makes it.
 */
import type { Kysely } from 'kysely'
import type { PushBody, PushRecord, PushResult } from '../../../src/protocol/sync.ts'
import type { Database } from '../../db/database.ts'
import { grantsOf, type Grant } from '../../shared/authz.ts'
import type { AuthContext } from '../auth/auth.repository.ts'
import { KINDS, type RegisteredKind } from './kinds/index.ts'
import type { AcceptedRecord, KindContext } from './kinds/kind.ts'
import { refreshReportStatsAfterPush } from '../reports/reportStats.repository.ts'

type Rejected = Extract<PushResult, { status: 'rejected' }>

const rejected = (id: string, code: string, message: string, field?: string): Rejected =>
  field ? { id, status: 'rejected', code, message, field } : { id, status: 'rejected', code, message }

interface Pending {
  kind: RegisteredKind
  record: AcceptedRecord<unknown>
}

export async function applyPushBatch(
  db: Kysely<Database>,
  auth: AuthContext,
  body: PushBody,
  receivedAt = Date.now(),
  kinds: ReadonlyMap<string, RegisteredKind> = KINDS,
): Promise<PushResult[]> {
  const answers = new Map<string, PushResult>()
  const pending: Pending[] = []
  const firstSeen = new Set<string>()

  for (const r of body.records) {
    if (firstSeen.has(r.id)) continue
    firstSeen.add(r.id)
    const outcome = check(r, auth, kinds)
    if ('status' in outcome) answers.set(r.id, outcome)
    else pending.push(outcome)
  }

  await db.transaction().execute(async (trx) => {
    let grants: Promise<Grant[]> | undefined
    const ctx: KindContext = { trx, auth, receivedAt, grants: () => (grants ??= grantsOf(trx, auth.personId)) }

    // Authorisation: per kind, one call for all its records.
    for (const [, group] of groupByKind(pending)) {
      const refusals = await group[0]!.kind.def.authorize(ctx, group.map((p) => p.record))
      group.forEach((p, i) => {
        const refusal = refusals[i]
        if (refusal) answers.set(p.record.id, rejected(p.record.id, refusal.code, refusal.message, refusal.field))
      })
    }
    const allowed = pending.filter((p) => !answers.has(p.record.id))

    // Sorted ids give every server instance the same lock order, so two transactions that
    // claim overlapping ids wait for each other instead of deadlocking.
    const byId = [...allowed].sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0))
    const claimed = new Set<string>()
    for (const chunk of chunks(byId, 500)) {
      const rows = await trx
        .insertInto('applied_record')
        .values(
          chunk.map((p) => ({
            id: p.record.id,
            kind: p.kind.def.kind,
            person_id: auth.personId,
            device_id: p.record.deviceId,
            created_at: p.record.createdAt,
            received_at: receivedAt,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute()
      for (const row of rows) claimed.add(row.id)
    }

    // Each kind's handler gets its records in the order the device sent them (oldest first), not
    // in id order; kinds run in the order each first appears in the batch.
    const fresh = allowed.filter((p) => claimed.has(p.record.id))
    const replays = allowed.filter((p) => !claimed.has(p.record.id))
    if (replays.length > 0) {
      // An id we already hold is a harmless replay when it is this person's; an id held by
      // somebody else is refused rather than confirmed, so ids cannot be probed or stolen.
      const owners = new Map<string, string>()
      for (const chunk of chunks(replays, 500)) {
        const rows = await trx
          .selectFrom('applied_record')
          .select(['id', 'person_id'])
          .where('id', 'in', chunk.map((p) => p.record.id))
          .execute()
        for (const row of rows) owners.set(row.id, row.person_id)
      }
      for (const p of replays) {
        answers.set(
          p.record.id,
          owners.get(p.record.id) === auth.personId
            ? { id: p.record.id, status: 'duplicate' }
            : rejected(p.record.id, 'ID_TAKEN', 'Another record already uses this id; make the record again.'),
        )
      }
    }

    for (const [, group] of groupByKind(fresh)) {
      await group[0]!.kind.def.apply(ctx, group.map((p) => p.record))
    }
    for (const p of fresh) answers.set(p.record.id, { id: p.record.id, status: 'applied' })

    // What the device still holds once this batch is answered: supervisors' data freshness.
    const outbox = { outbox_count: body.outboxCount ?? 0, pending_count: Math.max(0, (body.outboxCount ?? 0) - body.records.length) }
    await trx
      .insertInto('sync_device')
      .values({ person_id: auth.personId, device_id: body.deviceId, last_push_at: receivedAt, ...outbox })
      .onConflict((oc) => oc.columns(['person_id', 'device_id']).doUpdateSet({ last_push_at: receivedAt, ...outbox }))
      .execute()
    await refreshReportStatsAfterPush(trx, auth.personId, fresh.map((p) => ({ ...p.record, kind: p.kind.def.kind })))
  })

  // One answer per record sent, in order; a repeat of an id inside the batch is a duplicate.
  const answered = new Set<string>()
  return body.records.map((r) => {
    const answer = answers.get(r.id)!
    if (answered.has(r.id) && answer.status === 'applied') return { id: r.id, status: 'duplicate' }
    answered.add(r.id)
    return answer
  })
}

function check(r: PushRecord, auth: AuthContext, kinds: ReadonlyMap<string, RegisteredKind>): Pending | Rejected {
  const kind = kinds.get(r.kind)
  if (!kind) return rejected(r.id, 'UNKNOWN_KIND', `This server does not accept records of kind "${r.kind}".`, 'kind')
  if (!kind.validator.Check(r.payload)) {
    const first = kind.validator.Errors(r.payload)[0]
    const path = (first?.instancePath ?? '').split('/').filter(Boolean)
    const params = first?.params as Record<string, unknown> | undefined
    const named = params?.requiredProperties ?? params?.additionalProperties ?? params?.missingProperty
    if (Array.isArray(named) && typeof named[0] === 'string') path.push(named[0])
    else if (typeof named === 'string') path.push(named)
    const field = ['payload', ...path].join('.')
    return rejected(r.id, 'INVALID_PAYLOAD', `${field} ${first?.message ?? 'is invalid'}`, field)
  }
  return {
    kind,
    record: { id: r.id, payload: r.payload, createdAt: r.createdAt, deviceId: r.deviceId, personId: auth.personId },
  }
}

function groupByKind(items: Pending[]): Map<string, Pending[]> {
  const groups = new Map<string, Pending[]>()
  for (const p of items) {
    const list = groups.get(p.kind.def.kind)
    if (list) list.push(p)
    else groups.set(p.kind.def.kind, [p])
  }
  return groups
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
