/**
 * `checkin`: a member checked in to a meeting with the code from the leader's phone (scanned QR
 * code: meeting id + code; typed: the 6 digits alone), possibly with both phones offline.
 *
 * - The meeting is known: the check-in is judged now. Wrong code, someone outside the meeting's
 *   unit, or outside the window is refused with its own code; otherwise it becomes a
 *   `checked_in` mark, merged with the leader's marks by server order.
 * - The meeting is not known yet (the leader's phone has not synced): the check-in is stored as
 *   `pending` and judged when the meeting arrives (see resolvePendingCheckins).
 * At most 10 check-ins per person per hour reach the server, so 6 digits cannot be guessed.
 */
import type { Kysely } from 'kysely'
import { CheckinPayload } from '../../../../src/protocol/attendance.ts'
import type { Database } from '../../../db/database.ts'
import { checkinWindowProblem, findMeetings, meetingsByCode, type MeetingRow } from '../../attendance/attendance.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

const MAX_PER_HOUR = 10

/** What authorize decided per record, for apply in the same batch. */
const decisions = new WeakMap<KindContext, Map<string, MeetingRow | null>>()

async function ownPath(db: Kysely<Database>, personId: string): Promise<string> {
  const row = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select('org_unit.path')
    .where('person.id', '=', personId)
    .executeTakeFirstOrThrow()
  return row.path
}

export const checkin = defineKind({
  kind: 'checkin',
  payload: CheckinPayload,
  async authorize(ctx, records) {
    const decided = new Map<string, MeetingRow | null>()
    decisions.set(ctx, decided)
    const path = await ownPath(ctx.trx, ctx.auth.personId)
    const ancestors = path.split('/').filter(Boolean)
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
      let meeting: MeetingRow | undefined
      if (meetingId) {
        meeting = named.get(meetingId)
        if (meeting && meeting.checkin_code !== code) {
          out.push({ code: 'CHECKIN_CODE', message: 'This code does not belong to this meeting.', field: 'payload.code' })
          continue
        }
      } else {
        const candidates = await meetingsByCode(ctx.trx, ancestors, code)
        meeting =
          candidates.find((m) => checkinWindowProblem(m, r.createdAt, ctx.receivedAt) === null) ??
          (candidates.length === 1 ? candidates[0] : undefined)
      }
      if (meeting) {
        if (!path.startsWith(meeting.path)) {
          out.push({ code: 'FORBIDDEN', message: 'Only members of the meeting’s organisation unit can check in.', field: 'payload.meetingId' })
          continue
        }
        const problem = checkinWindowProblem(meeting, r.createdAt, ctx.receivedAt)
        if (problem) {
          out.push({ code: 'CHECKIN_WINDOW', message: problem, field: 'payload.code' })
          continue
        }
      }
      decided.set(r.id, meeting ?? null)
      out.push(null)
    }
    return out
  },
  async apply(ctx, records) {
    const decided = decisions.get(ctx) ?? new Map<string, MeetingRow | null>()
    for (const r of records) {
      const meeting = decided.get(r.id) ?? null
      await ctx.trx
        .insertInto('checkin')
        .values({
          id: r.id,
          person_id: r.personId,
          code: r.payload.code,
          meeting_id: meeting?.id ?? r.payload.meetingId ?? null,
          state: meeting ? 'accepted' : 'pending',
          reason: null,
          device: r.deviceId,
          created_at: r.createdAt,
          received_at: ctx.receivedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      if (!meeting) continue
      await ctx.trx
        .insertInto('attendance_mark')
        .values({
          record_id: r.id,
          meeting_id: meeting.id,
          org_unit_id: meeting.org_unit_id,
          person_id: r.personId,
          status: 'checked_in',
          reason: null,
          marked_by: r.personId,
          device: r.deviceId,
          created_at: r.createdAt,
          received_at: ctx.receivedAt,
        })
        .onConflict((oc) => oc.columns(['record_id', 'person_id']).doNothing())
        .execute()
    }
  },
})
