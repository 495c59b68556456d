/**
 * The leaders' overview of meetings and attendance (group leaders, secretaries, supervisors; their
 * own subtree only). Months and years are counted in China time (UTC+8), whatever the server's
 * zone. "Attended" is a member's current status present, checked_in or remote; a guest check-in
 * counts for the member's home unit as a confirmed record-card entry (`credited`), not at the host.
 */
import { Type, type Static } from 'typebox'
import { Meeting } from './attendance.ts'

/** Meetings of one type held (started) this month and this year. */
export const MeetingTypeCount = Type.Object({ type: Meeting.properties.type, month: Type.Integer(), year: Type.Integer() })
export type MeetingTypeCount = Static<typeof MeetingTypeCount>

export const UnitOverview = Type.Object({
  orgUnitId: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  /** Only types with at least one meeting this year. */
  meetings: Type.Array(MeetingTypeCount),
  meetingsMonth: Type.Integer(),
  meetingsYear: Type.Integer(),
  /** Attended / expected over the meetings held this year (expected: the active roster of each); null without meetings. */
  attendanceRate: Type.Union([Type.Number(), Type.Null()]),
  members: Type.Integer({ description: 'active members in the subtree' }),
  /** Active members with no attended meeting and no confirmed record-card entry in the last 90 days. */
  inactiveMembers: Type.Integer(),
  pendingFlowing: Type.Integer({ description: 'record-card entries waiting for a leader' }),
  /** Confirmed record-card entries held this year by members of the subtree, guest check-ins included. */
  creditedYear: Type.Integer(),
  guestCheckinsYear: Type.Integer(),
})
export type UnitOverview = Static<typeof UnitOverview>

const paging = {
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
}
export const OverviewQuery = Type.Object(paging)
export type OverviewQuery = Static<typeof OverviewQuery>

export const OverviewMembersQuery = Type.Object({
  ...paging,
  inactive: Type.Optional(Type.Boolean({ description: 'only members with no attendance in the last 90 days' })),
})
export type OverviewMembersQuery = Static<typeof OverviewMembersQuery>

export const MeetingRate = Type.Object({
  meeting: Meeting,
  orgUnitName: Type.String(),
  attended: Type.Integer(),
  expected: Type.Integer({ description: 'the active roster of the meeting’s unit' }),
  guests: Type.Integer(),
  rate: Type.Union([Type.Number(), Type.Null()]),
})
export type MeetingRate = Static<typeof MeetingRate>

export const MemberRate = Type.Object({
  personId: Type.String(),
  name: Type.String(),
  orgUnitId: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  /** Meetings of their unit and every unit above held this year, and how many they attended. */
  expected: Type.Integer(),
  attended: Type.Integer(),
  rate: Type.Union([Type.Number(), Type.Null()]),
  /** Confirmed record-card entries this year (guest check-ins included). */
  credited: Type.Integer(),
  lastAttendedAt: Type.Union([Type.Integer(), Type.Null()]),
})
export type MemberRate = Static<typeof MemberRate>
