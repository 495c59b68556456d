/**
 * `checkin`: a member checked in to a meeting with the code from the leader's phone (scanned QR
 * code: meeting id + code; typed: the 6 digits alone), possibly with both phones offline.
 *
 * - The meeting is known: the check-in is judged now. Wrong code, someone outside the meeting's
 *   unit (unless a flowing member: they check in anywhere as guests), or outside the window is
 *   refused with its own code; otherwise it becomes a `checked_in` mark, merged with the
 *   leader's marks by server order; a guest's also credits their home branch (record card).
 * - A typed code is looked for among meetings of the member's own units; a flowing member's
 *   also among meetings anywhere whose window is open now (two such meetings: scan instead).
 * - The meeting is not known yet (the leader's phone has not synced): the check-in is stored as
 *   `pending` and judged when the meeting arrives (see resolvePendingCheckins).
 * At most 10 check-ins per person per hour reach the server, so 6 digits cannot be guessed.
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
  type MeetingRow,
} from '../../attendance/attendance.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

const MAX_PER_HOUR = 10

interface Decision {
  meeting: MeetingRow
  role: 'member' | 'guest'
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
    const recent = await ctx.trx
      .selectFrom('checkin')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', ctx.auth.personId)
      .where('received_at', '>', ctx.receivedAt - 60 * 60 * 1000)
      .where('id', 'not in', records.map((r) => r.id))
      .executeTakeFirstOrThrow()
    let budget = MAX_PER_HOUR - Number(recent.n)

    const out: (Refusal | null)[] = []
    for (const r of records) {
      if (budget-- <= 0) {
        out.push({ code: 'RATE_LIMITED', message: 'Too many check-ins in the last hour; try again later.' })
        continue
      }
      const { code, meetingId } = r.payload
      const inWindow = (m: MeetingRow) => checkinWindowProblem(m, r.at, ctx.receivedAt) === null
      let meeting: MeetingRow | undefined
      if (meetingId) {
        meeting = named.get(meetingId)
        if (meeting && meeting.checkin_code !== code) {
          out.push({ code: 'CHECKIN_CODE', message: 'This code does not belong to this meeting.', field: 'payload.code' })
          continue
        }
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
      if (meeting) {
        const role = checkinRole(person, meeting)
        if (!role) {
          out.push({ code: 'FORBIDDEN', message: 'Only members of the meeting’s organisation unit, or flowing members as guests, can check in.', field: 'payload.meetingId' })
          continue
        }
        const problem = checkinWindowProblem(meeting, r.at, ctx.receivedAt)
        if (problem) {
          out.push({ code: 'CHECKIN_WINDOW', message: problem, field: 'payload.code' })
          continue
        }
        decided.set(r.id, { meeting, role })
      } else {
        decided.set(r.id, null)
      }
      out.push(null)
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
          device: r.deviceId,
          created_at: r.at,
          received_at: ctx.receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      if (decision) await acceptCheckin(ctx.trx, { id: r.id, device: r.deviceId, createdAt: r.at }, person, decision.meeting, decision.role, ctx.receivedAt)
    }
  },
})
