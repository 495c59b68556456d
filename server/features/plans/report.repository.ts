/**
 * The monthly report of a branch (or any unit): the month's figures read from the records, for
 * the unit's whole subtree. Every query starts from the subtree's people or meetings (range scan
 * on the path) and reaches records through (person_id, time) or (org_unit_id, time) indexes.
 */
import type { Kysely } from 'kysely'
import { MEETING_TYPES, type MeetingType } from '../../../src/protocol/attendance.ts'
import type { MonthFigures } from '../../../src/protocol/plans.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { plannedMeetingsByType } from './plans.repository.ts'

const ATTENDED = new Set(['present', 'remote', 'checked_in'])
const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10)

export async function monthFigures(db: Kysely<Database>, unit: { id: string; path: string }, from: number, to: number): Promise<MonthFigures> {
  const people = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .where('org_unit.path', '>=', unit.path)
    .where('org_unit.path', '<', subtreeEnd(unit.path))

  const [members, study, quizzes, flowing, meetings, planned] = await Promise.all([
    people.select((eb) => eb.fn.countAll<number>().as('n')).where('person.status', '=', 'active').executeTakeFirstOrThrow(),
    people
      .innerJoin('study_event', 'study_event.person_id', 'person.id')
      .where('study_event.received_at', '>=', from)
      .where('study_event.received_at', '<', to)
      .select((eb) => [eb.fn.sum<number>('study_event.seconds').as('seconds'), eb.fn.count<number>('study_event.person_id').distinct().as('people')])
      .executeTakeFirstOrThrow(),
    people
      .innerJoin('quiz_attempt', 'quiz_attempt.person_id', 'person.id')
      .where('quiz_attempt.received_at', '>=', from)
      .where('quiz_attempt.received_at', '<', to)
      .select((eb) => [eb.fn.countAll<number>().as('attempts'), eb.fn.sum<number>('quiz_attempt.passed').as('passed')])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('flowing_record')
      .innerJoin('org_unit', 'org_unit.id', 'flowing_record.org_unit_id')
      .where('org_unit.path', '>=', unit.path)
      .where('org_unit.path', '<', subtreeEnd(unit.path))
      .where('flowing_record.received_at', '>=', from)
      .where('flowing_record.received_at', '<', to)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('meeting')
      .innerJoin('org_unit', 'org_unit.id', 'meeting.org_unit_id')
      .where('org_unit.path', '>=', unit.path)
      .where('org_unit.path', '<', subtreeEnd(unit.path))
      .where('meeting.starts_at', '>=', from)
      .where('meeting.starts_at', '<', to)
      .select(['meeting.id', 'meeting.type', 'meeting.org_unit_id'])
      .execute(),
    plannedMeetingsByType(db, unit.id, from, to),
  ])

  const attendance = await attendanceOf(db, meetings)
  const held = new Map<string, number>()
  for (const m of meetings) held.set(m.type, (held.get(m.type) ?? 0) + 1)
  const attempts = Number(quizzes.attempts)
  return {
    studySeconds: Number(study.seconds ?? 0),
    membersStudied: Number(study.people),
    members: Number(members.n),
    meetingsHeld: meetings.length,
    attendanceRate: percent(attendance.attended, attendance.marked),
    quizAttempts: attempts,
    quizPassRate: percent(Number(quizzes.passed ?? 0), attempts),
    newFlowingRecords: Number(flowing.n),
    meetings: MEETING_TYPES.map((type: MeetingType) => ({ type, held: held.get(type) ?? 0, planned: planned[type] ?? 0 })).filter(
      (m) => m.held > 0 || m.planned > 0,
    ),
  }
}

/** Of everyone with a current mark in these meetings (latest by server order), how many attended. */
async function attendanceOf(db: Kysely<Database>, meetings: { id: string; org_unit_id: string }[]): Promise<{ attended: number; marked: number }> {
  if (meetings.length === 0) return { attended: 0, marked: 0 }
  const unitOf = new Map(meetings.map((m) => [m.id, m.org_unit_id]))
  const marks = await db
    .selectFrom('attendance_mark')
    .select(['meeting_id', 'person_id', 'org_unit_id', 'status'])
    .where('meeting_id', 'in', [...unitOf.keys()])
    .orderBy('seq')
    .execute()
  const current = new Map<string, string>()
  for (const m of marks) if (unitOf.get(m.meeting_id) === m.org_unit_id) current.set(`${m.meeting_id} ${m.person_id}`, m.status)
  let attended = 0
  for (const status of current.values()) if (ATTENDED.has(status)) attended++
  return { attended, marked: current.size }
}
