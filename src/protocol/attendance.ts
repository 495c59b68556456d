/**
 * Meetings and attendance (三会一课, theme days, trainings, home delivery, field classes): the
 * three outbox payloads a phone sends and the read routes' answers. Shared by the server (TypeBox
 * schemas) and the PWA (`import type` only).
 *
 * Rules the server applies (see docs/attendance.md):
 * - every mark is appended, never overwritten; a mark based on the current one (`basedOn`) becomes
 *   the current state, one made without seeing it is kept in history only (docs/sync-protocol.md);
 * - a check-in is judged on min(device time, server receive time) against
 *   [startsAt − 1 h, endsAt + 2 h], and must reach the server within 3 days of the meeting's end.
 */
import { Type, type Static } from 'typebox'
import { CHECKIN_TOKEN_PATTERN } from './checkin.limits.ts'

export const MEETING_TYPES = [
  'branch_assembly',
  'branch_committee',
  'group_meeting',
  'party_lecture',
  'theme_day',
  'training',
  'home_delivery',
  'field_class',
] as const
export type MeetingType = (typeof MEETING_TYPES)[number]

export const MARK_STATUSES = ['present', 'leave', 'absent', 'remote'] as const
export type MarkStatus = (typeof MARK_STATUSES)[number]
/** A member's state in a meeting: a leader's mark or their own check-in. */
export type AttendanceStatus = MarkStatus | 'checked_in'

/** Check-in window around a meeting, and how late a check-in may still reach the server. */
export const CHECKIN_OPENS_BEFORE_MS = 60 * 60 * 1000
export const CHECKIN_CLOSES_AFTER_MS = 2 * 60 * 60 * 1000
export const CHECKIN_ARRIVES_WITHIN_MS = 3 * 24 * 60 * 60 * 1000
/** Meetings further than this from the server's clock are refused as absurd. */
export const MEETING_MAX_PAST_MS = 180 * 24 * 60 * 60 * 1000
export const MEETING_MAX_FUTURE_MS = 366 * 24 * 60 * 60 * 1000
export const MEETING_MAX_LENGTH_MS = 3 * 24 * 60 * 60 * 1000

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' })
export const CheckinCode = Type.String({ pattern: '^[0-9]{6}$', description: '6 digits shown on the leader’s phone' })
export const CheckinToken = Type.String({ pattern: CHECKIN_TOKEN_PATTERN, description: 'the QR code’s random token (≥ 128 bits)' })

// Spelled out (not mapped from the arrays above) so TypeBox infers the literal union.
const MeetingTypeSchema = Type.Union([
  Type.Literal('branch_assembly'),
  Type.Literal('branch_committee'),
  Type.Literal('group_meeting'),
  Type.Literal('party_lecture'),
  Type.Literal('theme_day'),
  Type.Literal('training'),
  Type.Literal('home_delivery'),
  Type.Literal('field_class'),
])
const MarkStatusSchema = Type.Union([Type.Literal('present'), Type.Literal('leave'), Type.Literal('absent'), Type.Literal('remote')])

export const MeetingCreatePayload = Type.Object(
  {
    /** Made on the leader's phone, so marks and the QR code can name the meeting offline. */
    meetingId: Uuid,
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    type: MeetingTypeSchema,
    startsAt: Type.Integer(),
    endsAt: Type.Integer(),
    place: Type.String({ maxLength: 200 }),
    topic: Type.String({ minLength: 1, maxLength: 200 }),
    lessonId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The pool lecturer who gives its lesson (members may rate them afterwards; migration 038). */
    lecturerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Made on the leader's phone (the server cannot be asked offline); checked against check-ins. */
    checkinCode: CheckinCode,
    /** Made on the leader's phone too, shown only in the QR code; optional for older phones. */
    checkinToken: Type.Optional(CheckinToken),
  },
  { additionalProperties: false },
)
export type MeetingCreatePayload = Static<typeof MeetingCreatePayload>

export const MarkEntry = Type.Object(
  {
    personId: Type.String({ minLength: 1, maxLength: 64 }),
    status: MarkStatusSchema,
    reason: Type.Optional(Type.String({ maxLength: 200 })),
    /**
     * The mark the phone showed for this person when the leader tapped (its `recordId`: the
     * server's `markId`, or a mark made on this phone still unseen by the server); null = none.
     * A mark based on an older mark than the server's current one is kept in history, not applied.
     * Old phones omit it: their marks replace only their own author's marks.
     */
    basedOn: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type MarkEntry = Static<typeof MarkEntry>

export const AttendanceMarkPayload = Type.Object(
  {
    meetingId: Uuid,
    /** The meeting's unit, so a mark can be authorised even when it arrives before its meeting. */
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    /** "All present" for 15 members is one record of 15 marks. */
    marks: Type.Array(MarkEntry, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
)
export type AttendanceMarkPayload = Static<typeof AttendanceMarkPayload>

export const CheckinPayload = Type.Object(
  {
    code: CheckinCode,
    /** Known when the member scanned the QR code; a typed code alone is matched by the server. */
    meetingId: Type.Optional(Uuid),
    /** The scanned QR code's token (with `meetingId`): proves presence without the typed-code lockout. */
    token: Type.Optional(CheckinToken),
  },
  { additionalProperties: false },
)
export type CheckinPayload = Static<typeof CheckinPayload>

// ---- read routes ---------------------------------------------------------------------------

export const RosterMember = Type.Object({
  id: Type.String(),
  name: Type.String(),
  orgUnitId: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
})
export type RosterMember = Static<typeof RosterMember>

export const Meeting = Type.Object({
  id: Type.String(),
  orgUnitId: Type.String(),
  type: MeetingTypeSchema,
  startsAt: Type.Integer(),
  endsAt: Type.Integer(),
  place: Type.String(),
  topic: Type.String(),
  lessonId: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  /** The pool lecturer who gave its lesson, if named: attendees may rate them (docs/quiz.md "Evaluations"). */
  lecturerId: Type.Optional(Type.String()),
  /** Only for people who may run the meeting (group leader or higher over its unit). */
  checkinCode: Type.Optional(Type.String()),
  /** Likewise: lets another phone of a leader show the full QR code. */
  checkinToken: Type.Optional(Type.String()),
  /** Likewise, on the meeting's own page: wrong codes tried against it, and whether typed codes stopped. */
  wrongCodes: Type.Optional(Type.Integer()),
  typedCodeLocked: Type.Optional(Type.Boolean()),
})
export type Meeting = Static<typeof Meeting>

const StatusSchema = Type.Union([
  Type.Literal('present'),
  Type.Literal('leave'),
  Type.Literal('absent'),
  Type.Literal('remote'),
  Type.Literal('checked_in'),
])

/** Who made the mark that was current when a later-arriving, older-based edit was overruled. */
export const Correction = Type.Object({
  name: Type.String(),
  status: StatusSchema,
  /** When it was made: its device time, never later than the server received it. */
  at: Type.Integer(),
})
export type Correction = Static<typeof Correction>

export const MarkHistoryEntry = Type.Object({
  seq: Type.Integer({ description: 'server order among applied marks (an overruled entry repeats the seq of the mark it lost to)' }),
  /** The push record that carried the mark (check-in: the check-in's id); what `basedOn` names. */
  recordId: Type.String(),
  basedOn: Type.Union([Type.String(), Type.Null()]),
  /** Set when the mark arrived based on an older mark than the current one: kept, not applied (已被更正). */
  overruledBy: Type.Union([Correction, Type.Null()]),
  status: StatusSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  markedBy: Type.String(),
  markedByName: Type.String(),
  device: Type.String(),
  /** Device clock when the mark was made (data only). */
  createdAt: Type.Integer(),
  receivedAt: Type.Integer(),
})
export type MarkHistoryEntry = Static<typeof MarkHistoryEntry>

export const MeetingAttendee = Type.Object({
  personId: Type.String(),
  name: Type.String(),
  isFlowing: Type.Boolean(),
  isElderly: Type.Boolean(),
  status: Type.Union([StatusSchema, Type.Null()]),
  /** Every mark for this person in arrival order, overruled ones included. */
  history: Type.Array(MarkHistoryEntry),
  /** Record id of the current mark (what a phone sends as `basedOn`); null = not marked. */
  markId: Type.Union([Type.String(), Type.Null()]),
  /** A flowing member of another unit who checked in as a guest: the name of their home unit. */
  guestFrom: Type.Optional(Type.String()),
})
export type MeetingAttendee = Static<typeof MeetingAttendee>

export const MeetingDetail = Type.Object({ meeting: Meeting, attendees: Type.Array(MeetingAttendee) })
export type MeetingDetail = Static<typeof MeetingDetail>

export const MeetingsQuery = Type.Object({
  orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
})
export type MeetingsQuery = Static<typeof MeetingsQuery>

export const MyAttendanceEntry = Type.Object({
  meeting: Meeting,
  status: Type.Union([StatusSchema, Type.Null()]),
  /** The newest mark for the member (e.g. their check-in) was overruled by this one (已被更正). */
  correctedBy: Type.Optional(Type.Union([Correction, Type.Null()])),
})
export type MyAttendanceEntry = Static<typeof MyAttendanceEntry>

export const MyCheckin = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('refused')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  meetingId: Type.Union([Type.String(), Type.Null()]),
  /** The meeting's topic once the check-in was matched (a guest's meeting is not in `meetings`). */
  topic: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: Type.Integer(),
})
export type MyCheckin = Static<typeof MyCheckin>

export const MyAttendance = Type.Object({
  /** Meetings of the member's units (own group and every unit above), newest first. */
  meetings: Type.Array(MyAttendanceEntry),
  checkins: Type.Array(MyCheckin),
  /** Until when (server clock) this person's typed codes are refused after too many wrong ones. */
  checkinLockedUntil: Type.Optional(Type.Integer()),
})
export type MyAttendance = Static<typeof MyAttendance>

// ---- home visits 上门送学 -------------------------------------------------------------------

/**
 * A photo as a base64 JPEG without the data: prefix. 200,000 characters is ~146 KB of JPEG: the
 * phone shrinks the photo until it fits, so a visit always fits in one push batch (256 KiB).
 */
export const HOME_VISIT_PHOTO_MAX_CHARS = 200_000

export const HomeVisitPayload = Type.Object(
  {
    visitId: Uuid,
    /** The unit the leader leads; the member must be in its subtree. */
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    personId: Type.String({ minLength: 1, maxLength: 64 }),
    visitedAt: Type.Integer(),
    studied: Type.String({ minLength: 1, maxLength: 200 }),
    note: Type.String({ maxLength: 1000 }),
    lessonId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    photo: Type.Optional(Type.String({ maxLength: HOME_VISIT_PHOTO_MAX_CHARS, pattern: '^[A-Za-z0-9+/]+={0,2}$' })),
  },
  { additionalProperties: false },
)
export type HomeVisitPayload = Static<typeof HomeVisitPayload>

export const HomeVisit = Type.Object({
  id: Type.String(),
  orgUnitId: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  visitedBy: Type.String(),
  visitedByName: Type.String(),
  visitedAt: Type.Integer(),
  studied: Type.String(),
  note: Type.String(),
  lessonId: Type.Union([Type.String(), Type.Null()]),
  hasPhoto: Type.Boolean(),
})
export type HomeVisit = Static<typeof HomeVisit>
