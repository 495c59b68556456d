/**
 * The typed-code lockout (docs/security.md "Check-in codes"). A 6-digit code falls to guessing
 * unless wrong ones cost something, so every typed code that did not check the person in is a
 * row of `checkin_failure`, written in the push transaction: the server is stateless and runs as
 * several instances, and all of them count the same rows.
 * - a person with CHECKIN_WRONG_PER_PERSON_HOUR failures in the last hour has every typed code
 *   refused until the oldest of them is an hour old (token check-ins still pass);
 * - a meeting named by CHECKIN_WRONG_PER_MEETING failures (from anyone, ever: a meeting lives
 *   three days at most) accepts only the QR code's token from then on.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import { CHECKIN_WRONG_PER_MEETING, CHECKIN_WRONG_PER_PERSON_HOUR } from '../../../src/protocol/checkin.limits.ts'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'

const HOUR = 60 * 60 * 1000

export interface CheckinGuard {
  /** Server time until which this person's typed codes are refused, or null when they are not. */
  lockedUntil(): number | null
  /** This meeting collected so many wrong codes that only the QR token checks in. */
  typedCodeLocked(meetingId: string): Promise<boolean>
  /** Counts a typed code that did not check in (once per record and attempt, so replays are free). */
  fail(recordId: string, code: string, meetingId: string | null): Promise<void>
}

/** When the lock ends: an hour after the oldest of the last N failures (newest first). */
function lockEnd(failuresNewestFirst: number[]): number | null {
  const oldestCounted = failuresNewestFirst[CHECKIN_WRONG_PER_PERSON_HOUR - 1]
  return oldestCounted === undefined ? null : oldestCounted + HOUR
}

async function personFailures(db: Kysely<Database>, personId: string, now: number): Promise<number[]> {
  const rows = await db
    .selectFrom('checkin_failure')
    .select('received_at')
    .where('person_id', '=', personId)
    .where('received_at', '>', now - HOUR)
    .orderBy('received_at', 'desc')
    .limit(CHECKIN_WRONG_PER_PERSON_HOUR)
    .execute()
  return rows.map((r) => Number(r.received_at))
}

/** For the member's own page: until when their typed codes are refused (null: they are not). */
export async function checkinLockedUntil(db: Kysely<Database>, personId: string, now = Date.now()): Promise<number | null> {
  const until = lockEnd(await personFailures(db, personId, now))
  return until !== null && until > now ? until : null
}

/** Wrong codes tried against each meeting. */
export async function meetingWrongCodes(db: Kysely<Database>, meetingIds: string[]): Promise<Map<string, number>> {
  if (meetingIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('checkin_failure')
    .select('meeting_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('meeting_id', 'in', [...new Set(meetingIds)])
    .groupBy('meeting_id')
    .execute()
  return new Map(rows.map((r) => [r.meeting_id!, Number(r.n)]))
}

export const isTypedCodeLocked = (wrongCodes: number) => wrongCodes >= CHECKIN_WRONG_PER_MEETING

/**
 * Reads the counts for one push batch. On PostgreSQL the person's row is locked first, so two
 * instances handling two batches of the same person at once count one after the other instead
 * of both seeing four failures and both allowing a fifth and sixth (SQLite has one writer anyway).
 */
export async function checkinGuard(trx: Kysely<Database>, personId: string, meetingIds: string[], now: number): Promise<CheckinGuard> {
  if (isPostgres(trx as Kysely<unknown>)) {
    await trx.selectFrom('person').select('id').where('id', '=', personId).forUpdate().execute()
  }
  const failures = await personFailures(trx, personId, now)
  const perMeeting = await meetingWrongCodes(trx, meetingIds)
  for (const id of meetingIds) if (!perMeeting.has(id)) perMeeting.set(id, 0)
  return {
    lockedUntil() {
      const until = lockEnd(failures)
      return until !== null && until > now ? until : null
    },
    async typedCodeLocked(meetingId) {
      // A typed code's meeting is found by the code: read its count on first sight.
      if (!perMeeting.has(meetingId)) perMeeting.set(meetingId, (await meetingWrongCodes(trx, [meetingId])).get(meetingId) ?? 0)
      return isTypedCodeLocked(perMeeting.get(meetingId)!)
    },
    async fail(recordId, code, meetingId) {
      const inserted = await trx
        .insertInto('checkin_failure')
        .values({ person_id: personId, record_id: recordId, attempt: `${meetingId ?? ''}:${code}`, meeting_id: meetingId, received_at: now })
        .onConflict((oc) => oc.columns(['person_id', 'record_id', 'attempt']).doNothing())
        .returning('record_id')
        .execute()
      if (inserted.length === 0) return
      failures.unshift(now)
      if (meetingId) perMeeting.set(meetingId, (perMeeting.get(meetingId) ?? 0) + 1)
    },
  }
}

/** Compares a scanned token with the meeting's in constant time (no timing hint about a prefix). */
export function tokenMatches(expected: string | null, given: string | undefined | null): boolean {
  if (!expected || !given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
