/**
 * `attendance_mark`: a leader marked members present / on leave / absent / remote, one record
 * per tap burst ("all present" for 15 members is one record of 15 marks). Marks are appended,
 * never overwritten. Each names the mark it was based on (what the phone showed); one made
 * without seeing the member's current mark is kept in history, not applied, so an offline mark
 * from 09:00 arriving at 17:00 cannot undo a correction made at 10:00 (`appendMarks`).
 *
 * The payload names the meeting's unit, so a mark that reaches the server before its meeting
 * (another batch, another phone) is still authorised; it counts only once a meeting of that
 * same unit exists (the read side joins on it).
 */
import { AttendanceMarkPayload } from '../../../../src/protocol/attendance.ts'
import { allows } from '../../../shared/authz.ts'
import { appendMarks, findMeetings, personPaths, unitPaths } from '../../attendance/attendance.repository.ts'
import { defineKind, type Refusal } from './kind.ts'

export const attendanceMark = defineKind({
  kind: 'attendance_mark',
  payload: AttendanceMarkPayload,
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const paths = await unitPaths(ctx.trx, records.map((r) => r.payload.orgUnitId))
    const meetings = await findMeetings(ctx.trx, records.map((r) => r.payload.meetingId))
    const people = await personPaths(ctx.trx, records.flatMap((r) => r.payload.marks.map((m) => m.personId)))
    return records.map(({ payload: p }): Refusal | null => {
      const path = paths.get(p.orgUnitId)
      if (!path || !allows(grants, path, 'group_leader')) {
        return { code: 'FORBIDDEN', message: 'Only a leader of this group can mark its attendance.', field: 'payload.orgUnitId' }
      }
      const meeting = meetings.get(p.meetingId)
      if (meeting && meeting.org_unit_id !== p.orgUnitId) {
        return { code: 'INVALID_PAYLOAD', message: 'payload.orgUnitId is not the meeting’s unit', field: 'payload.orgUnitId' }
      }
      const seen = new Set<string>()
      for (const [i, m] of p.marks.entries()) {
        const personPath = people.get(m.personId)
        if (!personPath || !personPath.startsWith(path)) {
          return { code: 'FORBIDDEN', message: 'This person is not a member of the meeting’s unit.', field: `payload.marks.${i}.personId` }
        }
        if (seen.has(m.personId)) {
          return { code: 'INVALID_PAYLOAD', message: 'payload.marks names a person twice', field: `payload.marks.${i}.personId` }
        }
        seen.add(m.personId)
      }
      return null
    })
  },
  async apply({ trx, receivedAt }, records) {
    // In record order then mark order: the sequence numbers follow what the leader did.
    await appendMarks(
      trx,
      records.flatMap((r) =>
        r.payload.marks.map((m) => ({
          record_id: r.id,
          meeting_id: r.payload.meetingId,
          org_unit_id: r.payload.orgUnitId,
          person_id: m.personId,
          status: m.status,
          reason: m.reason?.trim() || null,
          marked_by: r.personId,
          device: r.deviceId,
          created_at: r.at,
          received_at: receivedAt,
          basedOn: m.basedOn,
        })),
      ),
    )
  },
})
