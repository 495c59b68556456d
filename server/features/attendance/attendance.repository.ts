/**
 * Meetings, marks and check-ins: the reads behind the attendance routes and the rules the three
 * outbox kinds share. Plain functions taking `db` first (the push batch passes its transaction).
 */
import type { Insertable, Kysely, Selectable } from 'kysely'
import {
  CHECKIN_ARRIVES_WITHIN_MS,
  CHECKIN_CLOSES_AFTER_MS,
  CHECKIN_OPENS_BEFORE_MS,
  MEETING_MAX_LENGTH_MS,
  type AttendanceStatus,
  type Correction,
  type HomeVisit,
  type Meeting,
  type MeetingAttendee,
  type MeetingType,
  type MyAttendance,
} from '../../../src/protocol/attendance.ts'
import { sameOutcome } from '../../../src/protocol/attendanceOutcome.ts'
import type { AttendanceMarkTable, Database, MeetingTable } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { creditGuestCheckin } from '../flowing/flowing.repository.ts'
import { wins, type CurrentVersion } from '../sync/basedOn.ts'
import { tokenMatches } from './checkinGuard.repository.ts'

/** The one answer for a wrong code and for a meeting the person may not attend (no oracle). */
export const WRONG_CODE_MESSAGE = 'This code does not check you in to a meeting you can attend.'
export const NOT_ALLOWED_MESSAGE = 'Only members of the meeting’s organisation unit, or flowing members as guests, can check in.'

export type MeetingRow = Selectable<MeetingTable> & { path: string }

export function toMeeting(row: Selectable<MeetingTable>, withCode: boolean): Meeting {
  const meeting: Meeting = {
    id: row.id,
    orgUnitId: row.org_unit_id,
    type: row.type as MeetingType,
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    place: row.place,
    topic: row.topic,
    lessonId: row.lesson_id,
    createdBy: row.created_by,
  }
  if (row.lecturer_id) meeting.lecturerId = row.lecturer_id
  if (withCode) {
    meeting.checkinCode = row.checkin_code
    if (row.checkin_token) meeting.checkinToken = row.checkin_token
  }
  return meeting
}

/** Meetings by id, with their unit's materialised path. */
export async function findMeetings(db: Kysely<Database>, ids: string[]): Promise<Map<string, MeetingRow>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('meeting')
    .innerJoin('org_unit', 'org_unit.id', 'meeting.org_unit_id')
    .selectAll('meeting')
    .select('org_unit.path')
    .where('meeting.id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export async function unitPaths(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('org_unit').select(['id', 'path']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r.path]))
}

/** Each person's unit path (active people only: an inactive member cannot be marked or check in). */
export async function personPaths(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'org_unit.path'])
    .where('person.id', 'in', [...new Set(ids)])
    .where('person.status', '=', 'active')
    .execute()
  return new Map(rows.map((r) => [r.id, r.path]))
}

/**
 * When a check-in counts: the device's time, but never later than the server received it (a
 * phone cannot check in from the future), inside [startsAt − 1 h, endsAt + 2 h]; and it must
 * reach the server within 3 days of the meeting's end, which bounds what a wrong or forged
 * device clock can do. The code itself, shown only on the leader's phone, is the main proof.
 */
export function checkinWindowProblem(
  meeting: Pick<MeetingTable, 'starts_at' | 'ends_at'>,
  createdAt: number,
  receivedAt: number,
): string | null {
  const at = Math.min(createdAt, receivedAt)
  if (at < Number(meeting.starts_at) - CHECKIN_OPENS_BEFORE_MS) return 'Check-in opens one hour before the meeting starts.'
  if (at > Number(meeting.ends_at) + CHECKIN_CLOSES_AFTER_MS) return 'Check-in closed two hours after the meeting ended.'
  if (receivedAt > Number(meeting.ends_at) + CHECKIN_ARRIVES_WITHIN_MS) return 'This check-in reached the server more than three days after the meeting.'
  return null
}

/** Meetings of the given units whose code is `code` (a typed code names no meeting). */
export async function meetingsByCode(db: Kysely<Database>, unitIds: string[], code: string): Promise<MeetingRow[]> {
  if (unitIds.length === 0) return []
  return db
    .selectFrom('meeting')
    .innerJoin('org_unit', 'org_unit.id', 'meeting.org_unit_id')
    .selectAll('meeting')
    .select('org_unit.path')
    .where('meeting.org_unit_id', 'in', unitIds)
    .where('meeting.checkin_code', '=', code)
    .execute()
}

/**
 * Meetings anywhere whose check-in window holds `at`, with this code: where a flowing member's
 * typed code is looked up when no meeting of their own units has it. Range on the
 * (checkin_code, starts_at) index: a meeting lasts at most three days.
 */
export async function guestMeetingsByCode(db: Kysely<Database>, code: string, createdAt: number, receivedAt: number): Promise<MeetingRow[]> {
  const at = Math.min(createdAt, receivedAt)
  const rows = await db
    .selectFrom('meeting')
    .innerJoin('org_unit', 'org_unit.id', 'meeting.org_unit_id')
    .selectAll('meeting')
    .select('org_unit.path')
    .where('meeting.checkin_code', '=', code)
    .where('meeting.starts_at', '>=', at - MEETING_MAX_LENGTH_MS - CHECKIN_CLOSES_AFTER_MS)
    .where('meeting.starts_at', '<=', at + CHECKIN_OPENS_BEFORE_MS)
    .limit(10)
    .execute()
  return rows.filter((m) => checkinWindowProblem(m, createdAt, receivedAt) === null)
}

/** Who is checking in: their unit path, home unit and whether they are a flowing member. */
export interface CheckinPerson {
  id: string
  path: string
  orgUnitId: string
  isFlowing: boolean
}

/**
 * May this person check in to this meeting, and as what: a member of the meeting's subtree, or
 * a flowing member as a guest (any flowing member, anywhere: they attend where they work now).
 */
export function checkinRole(person: CheckinPerson, meeting: MeetingRow): 'member' | 'guest' | null {
  if (person.path.startsWith(meeting.path)) return 'member'
  return person.isFlowing ? 'guest' : null
}

export async function checkinPeople(db: Kysely<Database>, ids: string[]): Promise<Map<string, CheckinPerson>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'person.org_unit_id', 'person.is_flowing', 'org_unit.path'])
    .where('person.id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, { id: r.id, path: r.path, orgUnitId: r.org_unit_id, isFlowing: r.is_flowing === 1 }]))
}

/** A mark to append; `basedOn` undefined = an old phone (or a check-in) that cannot say what it saw. */
export type NewMark = Omit<Insertable<AttendanceMarkTable>, 'based_on' | 'seq'> & { basedOn: string | null | undefined }

/** One member's marks in one meeting (under one unit) as the conflict rule needs them. */
interface MarkState {
  current?: CurrentVersion
  basedOnOf: Map<string, string | null>
}

const pairKey = (m: { meeting_id: string; org_unit_id: string; person_id: string }) => `${m.meeting_id}|${m.org_unit_id}|${m.person_id}`

/** What is known of each (meeting, unit, member) named in `marks`: the current mark and every mark's based-on. */
async function markStates(db: Kysely<Database>, marks: NewMark[]): Promise<Map<string, MarkState>> {
  const states = new Map<string, MarkState>(marks.map((m) => [pairKey(m), { basedOnOf: new Map() }]))
  const meetingIds = [...new Set(marks.map((m) => m.meeting_id))]
  const personIds = [...new Set(marks.map((m) => m.person_id))]
  for (let i = 0; i < personIds.length; i += 500) {
    const people = personIds.slice(i, i + 500)
    const [applied, overruled] = await Promise.all([
      db
        .selectFrom('attendance_mark')
        .select(['record_id', 'meeting_id', 'org_unit_id', 'person_id', 'marked_by', 'based_on'])
        .where('meeting_id', 'in', meetingIds)
        .where('person_id', 'in', people)
        .orderBy('seq')
        .execute(),
      db
        .selectFrom('attendance_mark_overruled')
        .select(['record_id', 'meeting_id', 'org_unit_id', 'person_id', 'based_on'])
        .where('meeting_id', 'in', meetingIds)
        .where('person_id', 'in', people)
        .execute(),
    ])
    for (const m of overruled) states.get(pairKey(m))?.basedOnOf.set(m.record_id, m.based_on)
    for (const m of applied) {
      const state = states.get(pairKey(m))
      if (!state) continue
      state.basedOnOf.set(m.record_id, m.based_on)
      state.current = { id: m.record_id, author: m.marked_by }
    }
  }
  return states
}

/**
 * Appends marks in the given order (leaders' marks and accepted check-ins alike). A mark whose
 * author had seen the member's current mark becomes current (`attendance_mark`); one made
 * without seeing it is kept in `attendance_mark_overruled`, naming the mark it lost to, so the
 * leader is told 已被更正 and nothing that counts attendance ever reads it. Two queries to read,
 * then inserts in chunks, whatever the number of marks.
 */
export async function appendMarks(db: Kysely<Database>, marks: NewMark[]): Promise<void> {
  if (marks.length === 0) return
  const states = await markStates(db, marks)
  const applied: Insertable<AttendanceMarkTable>[] = []
  const overruled: Insertable<Database['attendance_mark_overruled']>[] = []
  for (const { basedOn, ...mark } of marks) {
    const state = states.get(pairKey(mark))!
    const current = state.current
    if (wins(current, { id: mark.record_id, author: mark.marked_by, basedOn }, state.basedOnOf)) {
      applied.push({ ...mark, based_on: basedOn ?? null })
      state.current = { id: mark.record_id, author: mark.marked_by }
    } else {
      overruled.push({ ...mark, based_on: basedOn ?? null, lost_to: current!.id })
    }
    state.basedOnOf.set(mark.record_id, basedOn ?? null)
  }
  for (let i = 0; i < applied.length; i += 500) {
    await db.insertInto('attendance_mark').values(applied.slice(i, i + 500)).onConflict((oc) => oc.columns(['record_id', 'person_id']).doNothing()).execute()
  }
  for (let i = 0; i < overruled.length; i += 500) {
    await db
      .insertInto('attendance_mark_overruled')
      .values(overruled.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['record_id', 'person_id']).doNothing())
      .execute()
  }
}

/**
 * An accepted check-in becomes a `checked_in` mark in server order. A guest's mark is flagged
 * (the host's roster lists guests apart) and their home branch is credited at once with a
 * confirmed record-card entry: the host's code was the proof, so nobody has to review it.
 */
export async function acceptCheckin(
  db: Kysely<Database>,
  c: { id: string; device: string; createdAt: number },
  person: CheckinPerson,
  meeting: MeetingRow,
  role: 'member' | 'guest',
  byToken: boolean,
  receivedAt: number,
): Promise<void> {
  // The member's phone cannot know the leader's marks: a check-in is based on nothing, so it
  // counts only while nobody else has marked them (else it stays in history, 已被更正).
  await appendMarks(db, [
    {
      record_id: c.id,
      meeting_id: meeting.id,
      org_unit_id: meeting.org_unit_id,
      person_id: person.id,
      status: 'checked_in',
      reason: null,
      marked_by: person.id,
      device: c.device,
      created_at: c.createdAt,
      received_at: receivedAt,
      guest: role === 'guest' ? 1 : 0,
      basedOn: undefined,
    },
  ])
  if (role === 'guest') await creditGuestCheckin(db, c, person, meeting, byToken, receivedAt)
}

/**
 * A meeting just arrived: check-ins that waited for it (sent while the leader's phone was still
 * offline) are judged now, and the valid ones become `checked_in` marks in server order.
 */
export async function resolvePendingCheckins(db: Kysely<Database>, meetings: MeetingRow[], receivedAt: number): Promise<void> {
  for (const meeting of meetings) {
    // Those that named this meeting, and typed ones with its code (they may be for it).
    const pending = await db
      .selectFrom('checkin')
      .select(['id', 'person_id', 'meeting_id', 'code', 'token', 'device', 'created_at', 'received_at'])
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('meeting_id', '=', meeting.id), eb.and([eb('meeting_id', 'is', null), eb('code', '=', meeting.checkin_code)])]))
      .orderBy('received_at')
      .orderBy('id')
      .execute()
    const people = await checkinPeople(db, pending.map((c) => c.person_id))
    for (const c of pending) {
      const person = people.get(c.person_id)!
      // A scanned token is judged by itself when the meeting has one, as at push time.
      const byToken = c.token !== null && meeting.checkin_token !== null && c.meeting_id === meeting.id
      const proven = byToken ? tokenMatches(meeting.checkin_token, c.token) : c.code === meeting.checkin_code
      const role = checkinRole(person, meeting)
      const problem = !proven
        ? WRONG_CODE_MESSAGE
        : !role
          ? byToken
            ? NOT_ALLOWED_MESSAGE
            : WRONG_CODE_MESSAGE
          : checkinWindowProblem(meeting, Number(c.created_at), Number(c.received_at))
      if (problem || !role) {
        // A typed code may still belong to another meeting that has not arrived yet.
        if (c.meeting_id === meeting.id) {
          await db.updateTable('checkin').set({ state: 'refused', reason: problem }).where('id', '=', c.id).execute()
        }
        continue
      }
      await db.updateTable('checkin').set({ state: 'accepted', meeting_id: meeting.id, reason: null }).where('id', '=', c.id).execute()
      await acceptCheckin(db, { id: c.id, device: c.device, createdAt: Number(c.created_at) }, person, meeting, role, byToken, receivedAt)
    }
  }
}

// ---- reads ---------------------------------------------------------------------------------

export function encodeMeetingCursor(startsAt: number, id: string): string {
  return Buffer.from(JSON.stringify([startsAt, id])).toString('base64url')
}

export function decodeMeetingCursor(cursor: string): [number, string] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]]
  } catch {
    // a garbled cursor is reported by the caller
  }
  return undefined
}

/** One page of a unit's meetings, newest first. */
export async function listMeetings(
  db: Kysely<Database>,
  orgUnitId: string,
  limit: number,
  withCode: boolean,
  after?: [number, string],
): Promise<{ items: Meeting[]; next: string | null }> {
  let query = db
    .selectFrom('meeting')
    .selectAll()
    .where('org_unit_id', '=', orgUnitId)
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
  if (after) {
    const [startsAt, id] = after
    query = query.where((eb) => eb.or([eb('starts_at', '<', startsAt), eb.and([eb('starts_at', '=', startsAt), eb('id', '<', id)])]))
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit).map((r) => toMeeting(r, withCode))
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeMeetingCursor(last.startsAt, last.id) : null }
}

/**
 * Everyone on the meeting's roster (active people of its unit's subtree) plus anyone marked, with
 * their full mark history in server order; the current status is the last entry. Marks filed
 * under another unit than the meeting's are ignored, so a mark cannot be smuggled in ahead of
 * its meeting. `onlyPerson` limits the answer to one member (a member sees only their own row).
 */
export async function meetingAttendees(db: Kysely<Database>, meeting: MeetingRow, onlyPerson?: string): Promise<MeetingAttendee[]> {
  let roster = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'person.name', 'person.is_flowing', 'person.is_elderly'])
    .where('org_unit.path', '>=', meeting.path)
    .where('org_unit.path', '<', subtreeEnd(meeting.path))
    .where('person.status', '=', 'active')
  if (onlyPerson) roster = roster.where('person.id', '=', onlyPerson)
  let marks = db
    .selectFrom('attendance_mark')
    .innerJoin('person as marker', 'marker.id', 'attendance_mark.marked_by')
    .innerJoin('person as subject', 'subject.id', 'attendance_mark.person_id')
    .innerJoin('org_unit as home', 'home.id', 'subject.org_unit_id')
    .leftJoin('org_unit as home_parent', 'home_parent.id', 'home.parent_id')
    .selectAll('attendance_mark')
    .select(['marker.name as marker_name', 'subject.name as subject_name', 'subject.is_flowing', 'subject.is_elderly', 'home.name as home_name'])
    .select(['home.kind as home_kind', 'home_parent.name as home_parent_name'])
    .where('attendance_mark.meeting_id', '=', meeting.id)
    .where('attendance_mark.org_unit_id', '=', meeting.org_unit_id)
    .orderBy('attendance_mark.seq')
  if (onlyPerson) marks = marks.where('attendance_mark.person_id', '=', onlyPerson)
  let overruled = db
    .selectFrom('attendance_mark_overruled as o')
    .innerJoin('person as marker', 'marker.id', 'o.marked_by')
    .selectAll('o')
    .select('marker.name as marker_name')
    .where('o.meeting_id', '=', meeting.id)
    .where('o.org_unit_id', '=', meeting.org_unit_id)
    .orderBy('o.seq')
  if (onlyPerson) overruled = overruled.where('o.person_id', '=', onlyPerson)
  const [people, rows, overruledRows] = await Promise.all([roster.orderBy('person.name').orderBy('person.id').execute(), marks.execute(), overruled.execute()])
  const byPerson = new Map<string, MeetingAttendee>(
    people.map((p) => [
      p.id,
      { personId: p.id, name: p.name, isFlowing: p.is_flowing === 1, isElderly: p.is_elderly === 1, status: null, history: [], markId: null },
    ]),
  )
  for (const m of rows) {
    let attendee = byPerson.get(m.person_id)
    if (!attendee && m.guest === 1) {
      // A flowing member from elsewhere who checked in: listed apart, with their home unit.
      attendee = {
        personId: m.person_id,
        name: m.subject_name,
        isFlowing: m.is_flowing === 1,
        isElderly: m.is_elderly === 1,
        status: null,
        history: [],
        markId: null,
        // "桃园村党支部 第一党小组": a group's own name says little to another branch.
        guestFrom: m.home_kind === 'group' && m.home_parent_name ? `${m.home_parent_name} ${m.home_name}` : m.home_name,
      }
      byPerson.set(m.person_id, attendee)
    }
    // Someone who left the unit after being marked keeps the record but drops off the roster.
    if (!attendee) continue
    attendee.history.push({
      seq: Number(m.seq),
      recordId: m.record_id,
      basedOn: m.based_on,
      overruledBy: null,
      status: m.status,
      reason: m.reason,
      markedBy: m.marked_by,
      markedByName: m.marker_name,
      device: m.device,
      createdAt: Number(m.created_at),
      receivedAt: Number(m.received_at),
    })
    attendee.status = m.status as AttendanceStatus
    attendee.markId = m.record_id
  }
  for (const o of overruledRows) {
    const history = byPerson.get(o.person_id)?.history
    const at = history?.findIndex((h) => h.recordId === o.lost_to && h.overruledBy === null) ?? -1
    if (!history || at < 0) continue
    const winner = history[at]!
    // In arrival order: after the mark it lost to and any entry that lost to it before.
    let place = at + 1
    while (place < history.length && history[place]!.overruledBy !== null) place++
    history.splice(place, 0, {
      seq: winner.seq,
      recordId: o.record_id,
      basedOn: o.based_on,
      overruledBy: correctionBy(winner.markedByName, winner),
      status: o.status,
      reason: o.reason,
      markedBy: o.marked_by,
      markedByName: o.marker_name,
      device: o.device,
      createdAt: Number(o.created_at),
      receivedAt: Number(o.received_at),
    })
  }
  return [...byPerson.values()]
}

/** 已被更正: who made the mark in force and when (device time, never later than the server had it). */
function correctionBy(name: string, mark: { status: AttendanceStatus; createdAt: number; receivedAt: number }): Correction {
  return { name, status: mark.status, at: Math.min(mark.createdAt, mark.receivedAt) }
}

/** A member's own page: meetings of their unit and every unit above it, and their check-ins. */
export async function myAttendance(db: Kysely<Database>, personId: string, unitIds: string[]): Promise<MyAttendance> {
  const meetings =
    unitIds.length === 0
      ? []
      : await db.selectFrom('meeting').selectAll().where('org_unit_id', 'in', unitIds).orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(50).execute()
  const meetingIds = meetings.map((m) => m.id)
  const [marks, overruled] =
    meetings.length === 0
      ? [[], []]
      : await Promise.all([
          db
            .selectFrom('attendance_mark')
            .innerJoin('person as marker', 'marker.id', 'attendance_mark.marked_by')
            .select(['attendance_mark.meeting_id', 'attendance_mark.org_unit_id', 'attendance_mark.status', 'attendance_mark.record_id'])
            .select(['attendance_mark.created_at', 'attendance_mark.received_at', 'marker.name as marker_name'])
            .where('attendance_mark.person_id', '=', personId)
            .where('attendance_mark.meeting_id', 'in', meetingIds)
            .orderBy('attendance_mark.seq')
            .execute(),
          db
            .selectFrom('attendance_mark_overruled')
            .select(['meeting_id', 'lost_to', 'status'])
            .where('person_id', '=', personId)
            .where('meeting_id', 'in', meetingIds)
            .execute(),
        ])
  const current = new Map<string, (typeof marks)[number]>()
  const unitOf = new Map(meetings.map((m) => [m.id, m.org_unit_id]))
  for (const m of marks) if (unitOf.get(m.meeting_id) === m.org_unit_id) current.set(m.meeting_id, m)
  // The member's newest mark (their check-in, say) lost to the mark in force: tell them who and when.
  const corrected = new Map<string, Correction>()
  for (const o of overruled) {
    const winner = current.get(o.meeting_id)
    if (winner?.record_id === o.lost_to && !sameOutcome(o.status, winner.status)) {
      corrected.set(o.meeting_id, correctionBy(winner.marker_name, { status: winner.status, createdAt: Number(winner.created_at), receivedAt: Number(winner.received_at) }))
    }
  }
  // The topic too: a guest's check-in names a meeting of another branch, not in `meetings`.
  const checkins = await db
    .selectFrom('checkin')
    .leftJoin('meeting', 'meeting.id', 'checkin.meeting_id')
    .select(['checkin.id', 'checkin.state', 'checkin.reason', 'checkin.meeting_id', 'checkin.created_at', 'meeting.topic'])
    .where('checkin.person_id', '=', personId)
    .orderBy('checkin.received_at', 'desc')
    .limit(20)
    .execute()
  return {
    meetings: meetings.map((m) => ({ meeting: toMeeting(m, false), status: current.get(m.id)?.status ?? null, correctedBy: corrected.get(m.id) ?? null })),
    checkins: checkins.map((c) => ({ id: c.id, state: c.state, reason: c.reason, meetingId: c.meeting_id, topic: c.topic ?? null, createdAt: Number(c.created_at) })),
  }
}

/** The newest home visits recorded for a unit's members (without photos: those load one by one). */
export async function listHomeVisits(db: Kysely<Database>, orgUnitId: string, limit = 50): Promise<HomeVisit[]> {
  const rows = await db
    .selectFrom('home_visit')
    .innerJoin('person as member', 'member.id', 'home_visit.person_id')
    .innerJoin('person as leader', 'leader.id', 'home_visit.visited_by')
    .select([
      'home_visit.id',
      'home_visit.org_unit_id',
      'home_visit.person_id',
      'member.name as person_name',
      'home_visit.visited_by',
      'leader.name as visited_by_name',
      'home_visit.visited_at',
      'home_visit.studied',
      'home_visit.note',
      'home_visit.lesson_id',
    ])
    .select((eb) => eb.case().when('home_visit.photo', 'is not', null).then(1).else(0).end().as('has_photo'))
    .where('home_visit.org_unit_id', '=', orgUnitId)
    .orderBy('home_visit.visited_at', 'desc')
    .orderBy('home_visit.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    orgUnitId: r.org_unit_id,
    personId: r.person_id,
    personName: r.person_name,
    visitedBy: r.visited_by,
    visitedByName: r.visited_by_name,
    visitedAt: Number(r.visited_at),
    studied: r.studied,
    note: r.note,
    lessonId: r.lesson_id,
    hasPhoto: Number(r.has_photo) === 1,
  }))
}
