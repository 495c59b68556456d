/**
 * `meeting_create`: a group leader (or higher over the unit) created a meeting on their phone,
 * possibly offline. The meeting id, its 6-digit check-in code and the QR code's long random token
 * (optional: older phones send none) are made on the phone, so the QR code and the roll call
 * work before the server has heard of the meeting. Check-ins that
 * arrived first (the member's phone synced before the leader's) are judged when it lands.
 */
import {
  MEETING_MAX_FUTURE_MS,
  MEETING_MAX_LENGTH_MS,
  MEETING_MAX_PAST_MS,
  MeetingCreatePayload,
} from '../../../../src/protocol/attendance.ts'
import { allows } from '../../../shared/authz.ts'
import { findMeetings, resolvePendingCheckins, unitPaths } from '../../attendance/attendance.repository.ts'
import { defineKind, type Refusal } from './kind.ts'

export const meetingCreate = defineKind({
  kind: 'meeting_create',
  payload: MeetingCreatePayload,
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const paths = await unitPaths(ctx.trx, records.map((r) => r.payload.orgUnitId))
    const existing = await findMeetings(ctx.trx, records.map((r) => r.payload.meetingId))
    const named = [...new Set(records.flatMap((r) => (r.payload.lecturerId ? [r.payload.lecturerId] : [])))]
    const lecturers = new Set(named.length ? (await ctx.trx.selectFrom('lecturer').select('id').where('id', 'in', named).execute()).map((l) => l.id) : [])
    return records.map(({ payload: p, personId }): Refusal | null => {
      if (p.lecturerId && !lecturers.has(p.lecturerId)) return { code: 'INVALID_PAYLOAD', message: `No lecturer "${p.lecturerId}" in the pool.`, field: 'payload.lecturerId' }
      const path = paths.get(p.orgUnitId)
      if (!path || !allows(grants, path, 'group_leader')) {
        return { code: 'FORBIDDEN', message: 'Only a leader of this organisation unit can create its meetings.', field: 'payload.orgUnitId' }
      }
      // Judged on the server's clock: a phone whose clock is years off cannot file absurd meetings.
      if (p.startsAt < ctx.receivedAt - MEETING_MAX_PAST_MS || p.startsAt > ctx.receivedAt + MEETING_MAX_FUTURE_MS) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.startsAt is too far in the past or the future', field: 'payload.startsAt' }
      }
      if (p.endsAt <= p.startsAt || p.endsAt - p.startsAt > MEETING_MAX_LENGTH_MS) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.endsAt must be after the start and within three days', field: 'payload.endsAt' }
      }
      const old = existing.get(p.meetingId)
      // Same creator: a second record for a meeting we already hold changes nothing (no edits yet).
      if (old && old.created_by !== personId) {
        return { code: 'CONFLICT', message: 'Another meeting already uses this id.', field: 'payload.meetingId' }
      }
      return null
    })
  },
  async apply({ trx, receivedAt }, records) {
    const inserted = await trx
      .insertInto('meeting')
      .values(
        records.map(({ id: _id, payload: p, personId, deviceId, at }) => ({
          id: p.meetingId,
          org_unit_id: p.orgUnitId,
          type: p.type,
          starts_at: p.startsAt,
          ends_at: p.endsAt,
          place: p.place,
          topic: p.topic,
          lesson_id: p.lessonId ?? null,
          lecturer_id: p.lecturerId ?? null,
          created_by: personId,
          checkin_code: p.checkinCode,
          checkin_token: p.checkinToken ?? null,
          device: deviceId,
          created_at: at,
          received_at: receivedAt,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute()
    const fresh = await findMeetings(trx, inserted.map((r) => r.id))
    await resolvePendingCheckins(trx, [...fresh.values()], receivedAt)
  },
})
