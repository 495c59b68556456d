/**
 * `checkin`: a member checked in to a meeting with what the leader's phone shows (scanned QR
 * code: meeting id + code + token; typed: the 6 digits alone), possibly with both phones offline.
 *
 * - A scanned token (≥ 128 random bits, in the QR code only) that matches its meeting is the
 *   proof: no typed-code lockout applies. Any other check-in is judged by its 6-digit code, which
 *   can be guessed, so the lockout applies (checkinGuard.repository.ts, docs/security.md).
 * - The meeting is known: someone outside the meeting's unit (unless a flowing member: they
 *   check in anywhere as guests) and a wrong code get the same answer, and both count as a wrong
 *   code, so the answer tells nothing about the code. Outside the window is refused with its own
 *   code (judged before the code is looked at); otherwise it becomes a `checked_in` mark, merged
 *   with the leader's marks by server order; a guest's also credits their home branch (record
 *   card): confirmed with the token, for the home leader to confirm with a typed code.
 * - A typed code is looked for among meetings of the member's own units; a flowing member's
 *   also among meetings anywhere whose window is open now (two such meetings: scan instead).
 * - The meeting is not known yet (the leader's phone has not synced): the check-in is stored as
 *   `pending` and judged when the meeting arrives (see resolvePendingCheckins); with a code only,
 *   it counts as a wrong code now (it did not check in), so pending guesses cost the same.
 * At most 10 check-ins per person per hour are stored.
 */
import { CheckinPayload } from '../../../../src/protocol/attendance.ts'
import {
  acceptCheckin,
  checkinPeople,
  checkinRole,
  checkinWindowProblem,
  findMeetings,
  guestMeetingsByCode,
  meetingsByCode,
  NOT_ALLOWED_MESSAGE,
  WRONG_CODE_MESSAGE,
  type MeetingRow,
} from '../../attendance/attendance.repository.ts'
import { checkinGuard, tokenMatches } from '../../attendance/checkinGuard.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

const MAX_PER_HOUR = 10

/** One answer for a wrong code and for the right code of a meeting the person may not attend. */
const WRONG_CODE: Refusal = { code: 'CHECKIN_CODE', message: WRONG_CODE_MESSAGE, field: 'payload.code' }
const QR_ONLY: Refusal = { code: 'CHECKIN_QR_ONLY', message: 'Too many wrong codes were tried for this meeting: scan its QR code to check in.', field: 'payload.code' }
const lockedOut = (until: number): Refusal => ({
  code: 'CHECKIN_LOCKED',
  message: `Too many wrong check-in codes: typed codes are refused until ${new Date(until).toISOString()}. Scanning the meeting’s QR code still works.`,
  field: 'payload.code',
})

interface Decision {
  meeting: MeetingRow
  role: 'member' | 'guest'
  /** The QR code's token proved presence (else the 6-digit code did). */
  byToken: boolean
}

/** What authorize decided per record (null: the meeting is not here yet), for apply in the same batch. */
const decisions = new WeakMap<KindContext, Map<string, Decision | null>>()

export const checkin = defineKind({
  kind: 'checkin',
  payload: CheckinPayload,
  async authorize(ctx, records) {
    const decided = new Map<string, Decision | null>()
    decisions.set(ctx, decided)
    const person = (await checkinPeople(ctx.trx, [ctx.auth.personId])).get(ctx.auth.personId)!
    const ancestors = person.path.split('/').filter(Boolean)
    const named = await findMeetings(ctx.trx, records.flatMap((r) => (r.payload.meetingId ? [r.payload.meetingId] : [])))
    const guard = await checkinGuard(ctx.trx, ctx.auth.personId, [...named.keys()], ctx.receivedAt)
    // A record we already hold is a replay: the push route answers it `duplicate` (or ID_TAKEN),
    // and a lockout that began since must not turn a stored check-in into a refusal.
    const stored = new Set(
      (await ctx.trx.selectFrom('checkin').select('id').where('id', 'in', records.map((r) => r.id)).execute()).map((row) => row.id),
    )
    const recent = await ctx.trx
      .selectFrom('checkin')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', ctx.auth.personId)
      .where('received_at', '>', ctx.receivedAt - 60 * 60 * 1000)
      .where('id', 'not in', records.map((r) => r.id))
      .executeTakeFirstOrThrow()
    let budget = MAX_PER_HOUR - Number(recent.n)

    const out: (Refusal | null)[] = []
    // Only what will be stored spends the hourly budget; refusals are counted by the lockout.
    const accept = (id: string, decision: Decision | null) => {
      if (budget-- <= 0) {
        out.push({ code: 'RATE_LIMITED', message: 'Too many check-ins in the last hour; try again later.' })
        return
      }
      decided.set(id, decision)
      out.push(null)
    }
    for (const r of records) {
      if (stored.has(r.id)) {
        out.push(null)
        continue
      }
      const { code, meetingId, token } = r.payload
      const inWindow = (m: MeetingRow) => checkinWindowProblem(m, r.at, ctx.receivedAt) === null
      const scanned = meetingId ? named.get(meetingId) : undefined

      // A scanned token is judged by itself (a meeting from an older phone has none: its code counts).
      if (token && meetingId && (!scanned || scanned.checkin_token)) {
        if (!scanned) {
          accept(r.id, null)
          continue
        }
        if (!tokenMatches(scanned.checkin_token, token)) {
          out.push(WRONG_CODE)
          continue
        }
        const role = checkinRole(person, scanned)
        if (!role) {
          // They were in the room (the token says so): telling them why reveals nothing guessable.
          out.push({ code: 'FORBIDDEN', message: NOT_ALLOWED_MESSAGE, field: 'payload.meetingId' })
          continue
        }
        const problem = checkinWindowProblem(scanned, r.at, ctx.receivedAt)
        if (problem) {
          out.push({ code: 'CHECKIN_WINDOW', message: problem, field: 'payload.code' })
          continue
        }
        accept(r.id, { meeting: scanned, role, byToken: true })
        continue
      }

      // Everything else stands on 6 digits, which can be guessed: the lockout applies.
      const lockedUntil = guard.lockedUntil()
      if (lockedUntil !== null) {
        out.push(lockedOut(lockedUntil))
        continue
      }
      let meeting: MeetingRow | undefined
      if (meetingId) {
        meeting = scanned
      } else {
        const own = await meetingsByCode(ctx.trx, ancestors, code)
        meeting = own.find(inWindow)
        if (!meeting && person.isFlowing) {
          // A flowing member away from home: the code of a meeting anywhere that is on now.
          const elsewhere = await guestMeetingsByCode(ctx.trx, code, r.at, ctx.receivedAt)
          if (elsewhere.length > 1) {
            out.push({ code: 'CHECKIN_CODE', message: 'Several meetings use this code right now: scan the meeting’s QR code instead.', field: 'payload.code' })
            continue
          }
          meeting = elsewhere[0]
        }
        meeting ??= own.length === 1 ? own[0] : undefined
      }
      if (!meeting) {
        // Waits for its meeting; it did not check in now, so as a guess it costs a try.
        accept(r.id, null)
        if (decided.has(r.id)) await guard.fail(r.id, code, meetingId ?? null)
        continue
      }
      const role = checkinRole(person, meeting)
      if (!role) {
        await guard.fail(r.id, code, meeting.id)
        out.push(WRONG_CODE)
        continue
      }
      if (await guard.typedCodeLocked(meeting.id)) {
        out.push(QR_ONLY)
        continue
      }
      // The window before the code: a refusal for the time must not confirm a guessed code.
      const problem = checkinWindowProblem(meeting, r.at, ctx.receivedAt)
      if (problem) {
        out.push({ code: 'CHECKIN_WINDOW', message: problem, field: 'payload.code' })
        continue
      }
      if (meeting.checkin_code !== code) {
        await guard.fail(r.id, code, meeting.id)
        out.push(WRONG_CODE)
        continue
      }
      accept(r.id, { meeting, role, byToken: false })
    }
    return out
  },
  async apply(ctx, records) {
    const decided = decisions.get(ctx) ?? new Map<string, Decision | null>()
    const person = (await checkinPeople(ctx.trx, [ctx.auth.personId])).get(ctx.auth.personId)!
    for (const r of records) {
      const decision = decided.get(r.id) ?? null
      await ctx.trx
        .insertInto('checkin')
        .values({
          id: r.id,
          person_id: r.personId,
          code: r.payload.code,
          meeting_id: decision?.meeting.id ?? r.payload.meetingId ?? null,
          state: decision ? 'accepted' : 'pending',
          reason: null,
          token: r.payload.token ?? null,
          device: r.deviceId,
          created_at: r.at,
          received_at: ctx.receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      if (decision) {
        const c = { id: r.id, device: r.deviceId, createdAt: r.at }
        await acceptCheckin(ctx.trx, c, person, decision.meeting, decision.role, decision.byToken, ctx.receivedAt)
      }
    }
  },
})
