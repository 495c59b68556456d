/**
 * The training archive 培训档案: one member's year of study, quizzes, meetings and home visits,
 * read from the records the phones pushed. Study and quiz times are the server's receive time
 * (phone clocks are often wrong); meetings, record cards and visits use the time they were held.
 * A section is one person's year (hundreds of rows at most), so it is read whole and paged here.
 */
import { sql, type Kysely } from 'kysely'
import type {
  ArchiveCourse,
  ArchiveLesson,
  ArchiveMeeting,
  ArchiveQuiz,
  ArchiveSummary,
  ArchiveVisit,
  RetrainingFlag,
} from '../../../src/protocol/archive.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { yearRange } from '../plans/months.ts'

const ATTENDED = new Set(['present', 'remote', 'checked_in'])

export interface ArchivePersonRow {
  id: string
  name: string
  path: string
  orgUnitName: string
}

export async function findArchivePerson(db: Kysely<Database>, personId: string): Promise<ArchivePersonRow | undefined> {
  return db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'person.name', 'org_unit.path', 'org_unit.name as orgUnitName'])
    .where('person.id', '=', personId)
    .executeTakeFirst()
}

/** Lessons studied in the year: time summed per lesson, newest first. */
export async function archiveLessons(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveLesson[]> {
  const [from, to] = yearRange(year)
  const rows = await db
    .selectFrom('study_event')
    .innerJoin('lesson', 'lesson.id', 'study_event.lesson_id')
    .innerJoin('course', 'course.id', 'lesson.course_id')
    .select(['study_event.lesson_id', 'lesson.title', 'course.title as course_title'])
    .select((eb) => [
      eb.fn.sum<number>('study_event.seconds').as('seconds'),
      eb.fn.max(eb.case().when('study_event.kind', '=', 'completed').then(1).else(0).end()).as('completed'),
      eb.fn.max('study_event.received_at').as('last_at'),
    ])
    .where('study_event.person_id', '=', personId)
    .where('study_event.received_at', '>=', from)
    .where('study_event.received_at', '<', to)
    .groupBy(['study_event.lesson_id', 'lesson.title', 'course.title'])
    .execute()
  return rows
    .map((r) => ({
      lessonId: r.lesson_id,
      title: r.title,
      courseTitle: r.course_title,
      seconds: Number(r.seconds ?? 0),
      completed: Number(r.completed) === 1,
      lastAt: Number(r.last_at),
    }))
    .sort((a, b) => b.lastAt - a.lastAt || (a.lessonId < b.lessonId ? 1 : -1))
}

/** Courses whose every lesson the member had completed, by the year the last one was completed. */
export async function coursesCompleted(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveCourse[]> {
  const [from, to] = yearRange(year)
  const firstCompletions = await db
    .selectFrom('study_event')
    .select(['course_id', 'lesson_id'])
    .select((eb) => eb.fn.min('received_at').as('at'))
    .where('person_id', '=', personId)
    .where('kind', '=', 'completed')
    .where('received_at', '<', to)
    .groupBy(['course_id', 'lesson_id'])
    .execute()
  const byCourse = new Map<string, { lessons: Set<string>; at: number }>()
  for (const c of firstCompletions) {
    const entry = byCourse.get(c.course_id) ?? { lessons: new Set(), at: 0 }
    entry.lessons.add(c.lesson_id)
    entry.at = Math.max(entry.at, Number(c.at))
    byCourse.set(c.course_id, entry)
  }
  if (byCourse.size === 0) return []
  const lessons = await db
    .selectFrom('lesson')
    .innerJoin('course', 'course.id', 'lesson.course_id')
    .select(['course.id as course_id', 'course.title', 'lesson.id as lesson_id'])
    .where('lesson.course_id', 'in', [...byCourse.keys()])
    .where('lesson.deleted_at', 'is', null)
    .execute()
  const courses = new Map<string, { title: string; lessons: string[] }>()
  for (const l of lessons) {
    const c = courses.get(l.course_id) ?? { title: l.title, lessons: [] }
    c.lessons.push(l.lesson_id)
    courses.set(l.course_id, c)
  }
  const done: ArchiveCourse[] = []
  for (const [courseId, c] of courses) {
    const completion = byCourse.get(courseId)!
    const completedAll = c.lessons.every((id) => completion.lessons.has(id))
    if (completedAll && completion.at >= from) done.push({ courseId, title: c.title, lessonsCompleted: c.lessons.length, lessons: c.lessons.length })
  }
  return done.sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'))
}

/** Quiz attempts in the year, newest first. */
export async function archiveQuizzes(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveQuiz[]> {
  const [from, to] = yearRange(year)
  const rows = await db
    .selectFrom('quiz_attempt')
    .innerJoin('quiz', 'quiz.id', 'quiz_attempt.quiz_id')
    .select(['quiz_attempt.id', 'quiz_attempt.quiz_id', 'quiz.title', 'quiz_attempt.score', 'quiz_attempt.passed', 'quiz_attempt.received_at'])
    .where('quiz_attempt.person_id', '=', personId)
    .where('quiz_attempt.received_at', '>=', from)
    .where('quiz_attempt.received_at', '<', to)
    .orderBy('quiz_attempt.received_at', 'desc')
    .orderBy('quiz_attempt.id', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, quizId: r.quiz_id, title: r.title, score: Number(r.score), passed: Number(r.passed) === 1, at: Number(r.received_at) }))
}

/**
 * Quizzes to take again 复训: those whose latest attempt (any year) failed, the rule the
 * assignment results use too. Every quiz the member tried counts, assigned or not.
 */
export async function retrainingFlags(db: Kysely<Database>, personId: string): Promise<RetrainingFlag[]> {
  const rows = await db
    .selectFrom('quiz_attempt')
    .innerJoin('quiz', 'quiz.id', 'quiz_attempt.quiz_id')
    .select(['quiz_attempt.quiz_id', 'quiz.title', 'quiz_attempt.score', 'quiz_attempt.passed', 'quiz_attempt.received_at'])
    .where('quiz_attempt.person_id', '=', personId)
    .orderBy('quiz_attempt.received_at')
    .orderBy('quiz_attempt.id')
    .execute()
  const latest = new Map<string, (typeof rows)[number]>()
  for (const r of rows) latest.set(r.quiz_id, r)
  return [...latest.values()]
    .filter((r) => Number(r.passed) !== 1)
    .map((r) => ({ quizId: r.quiz_id, title: r.title, score: Number(r.score), at: Number(r.received_at) }))
}

/**
 * Meetings attended in the year: the member's current mark (latest by server order) is present,
 * remote or checked in, plus confirmed record-card entries away from home. A guest check-in also
 * made a confirmed record naming its meeting; that record is not counted twice.
 */
export async function archiveMeetings(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveMeeting[]> {
  const [from, to] = yearRange(year)
  const marks = await db
    .selectFrom('attendance_mark')
    .innerJoin('meeting', 'meeting.id', 'attendance_mark.meeting_id')
    .select(['meeting.id', 'meeting.type', 'meeting.topic', 'meeting.place', 'meeting.starts_at', 'attendance_mark.status', 'attendance_mark.guest'])
    .where('attendance_mark.person_id', '=', personId)
    // Marks filed under another unit than the meeting's never count (see meetingAttendees).
    .whereRef('attendance_mark.org_unit_id', '=', 'meeting.org_unit_id')
    .where('meeting.starts_at', '>=', from)
    .where('meeting.starts_at', '<', to)
    .orderBy('attendance_mark.seq')
    .execute()
  const current = new Map<string, (typeof marks)[number]>()
  for (const m of marks) current.set(m.id, m)
  const attended: ArchiveMeeting[] = [...current.values()]
    .filter((m) => ATTENDED.has(m.status))
    .map((m) => ({ id: m.id, type: m.type, topic: m.topic, place: m.place, at: Number(m.starts_at), status: m.status, guest: Number(m.guest) === 1 }))
  const seen = new Set(attended.map((m) => m.id))
  const records = await db
    .selectFrom('flowing_record')
    .select(['id', 'organisation', 'content', 'place', 'held_on', 'meeting_id'])
    .where('person_id', '=', personId)
    .where('status', '=', 'confirmed')
    .where('held_on', '>=', from)
    .where('held_on', '<', to)
    .execute()
  for (const r of records) {
    if (r.meeting_id && seen.has(r.meeting_id)) continue
    attended.push({ id: r.id, type: 'flowing', topic: `${r.organisation}：${r.content}`, place: r.place, at: Number(r.held_on), status: 'flowing', guest: false })
  }
  return attended.sort(newestFirst)
}

export async function archiveVisits(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveVisit[]> {
  const [from, to] = yearRange(year)
  const rows = await db
    .selectFrom('home_visit')
    .innerJoin('person as leader', 'leader.id', 'home_visit.visited_by')
    .select(['home_visit.id', 'home_visit.visited_at', 'home_visit.studied', 'home_visit.note', 'leader.name as visited_by_name'])
    .where('home_visit.person_id', '=', personId)
    .where('home_visit.visited_at', '>=', from)
    .where('home_visit.visited_at', '<', to)
    .orderBy('home_visit.visited_at', 'desc')
    .orderBy('home_visit.id', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, at: Number(r.visited_at), studied: r.studied, note: r.note, visitedByName: r.visited_by_name }))
}

function newestFirst(a: { at: number; id: string }, b: { at: number; id: string }): number {
  return b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
}

export interface ArchiveSections {
  lessons: ArchiveLesson[]
  quizzes: ArchiveQuiz[]
  meetings: ArchiveMeeting[]
  visits: ArchiveVisit[]
}

export async function archiveSections(db: Kysely<Database>, personId: string, year: number): Promise<ArchiveSections> {
  const [lessons, quizzes, meetings, visits] = await Promise.all([
    archiveLessons(db, personId, year),
    archiveQuizzes(db, personId, year),
    archiveMeetings(db, personId, year),
    archiveVisits(db, personId, year),
  ])
  return { lessons, quizzes, meetings, visits }
}

export async function archiveSummary(db: Kysely<Database>, person: ArchivePersonRow, year: number): Promise<ArchiveSummary> {
  const [sections, completed, retraining] = await Promise.all([
    archiveSections(db, person.id, year),
    coursesCompleted(db, person.id, year),
    retrainingFlags(db, person.id),
  ])
  const { lessons, quizzes, meetings, visits } = sections
  return {
    person: { id: person.id, name: person.name, orgUnitName: person.orgUnitName },
    year,
    totals: {
      studySeconds: lessons.reduce((s, l) => s + l.seconds, 0),
      lessonsStudied: lessons.length,
      coursesCompleted: completed.length,
      meetingsAttended: meetings.length,
      quizAttempts: quizzes.length,
      quizzesPassed: new Set(quizzes.filter((q) => q.passed).map((q) => q.quizId)).size,
      homeVisits: visits.length,
    },
    coursesCompleted: completed,
    retraining,
  }
}

/** Members of a subtree whose name starts with `prefix`, by name: the leader's member picker. */
export async function searchMembers(db: Kysely<Database>, path: string, prefix: string, limit: number, after?: [string, string]) {
  let query = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'person.name', 'org_unit.name as orgUnitName'])
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .orderBy('person.name')
    .orderBy('person.id')
    .limit(limit + 1)
  // LIKE wildcards typed by the user are matched literally.
  if (prefix) query = query.where(sql<boolean>`person.name like ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`)
  if (after) {
    const [name, id] = after
    query = query.where((eb) => eb.or([eb('person.name', '>', name), eb.and([eb('person.name', '=', name), eb('person.id', '>', id)])]))
  }
  return query.execute()
}
