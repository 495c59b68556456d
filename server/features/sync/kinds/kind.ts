/**
 * What a push kind is made of: one payload schema, one authorisation rule, one handler. A new
 * kind is one file beside this one plus one line in `kinds/index.ts`; the push route, the
 * idempotency table and the per-record answers come for free.
 */
import type { Kysely } from 'kysely'
import type { Static, TSchema } from 'typebox'
import type { PushRecord } from '../../../../src/protocol/sync.ts'
import type { Database } from '../../../db/database.ts'
import type { AuthContext } from '../../auth/auth.repository.ts'
import type { Grant } from '../../../shared/authz.ts'

/** A record whose payload passed its kind's schema. `personId` comes from the session, never the payload. */
export interface AcceptedRecord<P> {
  id: string
  payload: P
  /** Device clock as sent (also kept in `applied_record.created_at`): data, never judged. */
  createdAt: number
  /**
   * When it happened, as far as the server believes: the device's corrected clock (`correctedAt`),
   * else its raw clock, never later than `receivedAt`. Every rule that judges time uses this, and
   * kinds store it as their table's `created_at`, so figures that read "when" or "latest" do too.
   */
  at: number
  deviceId: string
  personId: string
}

export interface KindContext {
  /** The batch's transaction: reads and writes here commit or roll back with the batch. */
  trx: Kysely<Database>
  auth: AuthContext
  /** The signed-in person's roles, read from the database once per batch (never from the client). */
  grants(): Promise<Grant[]>
  /** Server clock for the whole batch. */
  receivedAt: number
  /**
   * The batch's new records that passed their schemas, in the order sent, not yet authorised.
   * Every kind authorises before any applies, so a rule that depends on an earlier record of the
   * same batch (a rating after the lesson completion it follows, both queued offline) reads it here.
   */
  batch: ReadonlyArray<{ kind: string; record: AcceptedRecord<unknown> }>
}

/** Why a record is refused: a stable code and a sentence a member can read. */
export interface Refusal {
  code: 'FORBIDDEN' | 'INVALID_PAYLOAD' | 'CONFLICT' | 'CHECKIN_CODE' | 'CHECKIN_WINDOW' | 'RATE_LIMITED' | 'CHECKIN_LOCKED' | 'CHECKIN_QR_ONLY' | 'EXAM_NOT_OPEN' | 'EXAM_CLOSED' | 'EXAM_ATTEMPTS' | 'EXAM_PAPER' | 'SURVEY_NOT_OPEN' | 'SURVEY_CLOSED' | 'SURVEY_ANSWER' | 'EXAM_TIME' | 'EVALUATION_TARGET' | 'CASE_NOT_FOUND' | 'CASE_NOT_YOURS' | 'CASE_ANSWERED'
  message: string
  field?: string
}

export interface SyncKind<S extends TSchema = TSchema> {
  kind: string
  payload: S
  /**
   * The authorisation rule, for a whole batch at once so it can use one query. Returns a refusal
   * per record (same order), or null to allow it.
   */
  authorize(ctx: KindContext, records: AcceptedRecord<Static<S>>[]): Promise<(Refusal | null)[]>
  /**
   * Applies records that are new (their ids were just claimed in `applied_record` by this
   * transaction). Runs in a savepoint: if it throws, the records are applied again one by one and
   * only the one that throws is refused (`UNPROCESSABLE`); it must not swallow database errors.
   */
  apply(ctx: KindContext, records: AcceptedRecord<Static<S>>[]): Promise<void>
}

/** Keeps the payload type of `authorize`/`apply` tied to the schema. */
export function defineKind<S extends TSchema>(kind: SyncKind<S>): SyncKind<S> {
  return kind
}

export type { PushRecord }
