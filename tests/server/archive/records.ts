/**
 * Inserts the records phones would have pushed, with chosen server times, so archive and report
 * figures can be checked against known numbers (the push kinds themselves are tested elsewhere).
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../server/db/database.ts'
import { monthStart } from '../../../server/features/plans/months.ts'

export const DAY = 24 * 60 * 60 * 1000
/** A moment on `day` of `month` in China time. */
export const at = (year: number, month: number, day = 10) => monthStart(year, month) + (day - 1) * DAY + 3 * 60 * 60 * 1000

export function records(db: Kysely<Database>, districtId: string) {
  const synced = { org_unit_id: districtId, version: 1, published_at: 0, deleted_at: null, content_hash: 'x' }
  return {
    async course(title: string, lessonTitles: string[]) {
      const id = randomUUID()
      await db.insertInto('course').values({ ...synced, id, title, kind: 'theme', category: 'c', description: '', cover: null, sort_order: 0, body: '', media: '[]' }).execute()
      const lessons = lessonTitles.map((t, i) => ({ ...synced, id: randomUUID(), course_id: id, title: t, sort_order: i, minutes: 10, audio: null, body: '' }))
      await db.insertInto('lesson').values(lessons).execute()
      return { id, lessons: lessons.map((l) => l.id) }
    },
    async quiz(title: string) {
      const id = randomUUID()
      await db.insertInto('quiz').values({ ...synced, id, title, description: '', selection: '{}', time_limit_minutes: null, pass_mark: 60, shuffle_options: 0, exam_only: 0 }).execute()
      return id
    },
    async study(personId: string, courseId: string, lessonId: string, kind: 'studied' | 'completed', seconds: number, receivedAt: number) {
      await db.insertInto('study_event').values({ id: randomUUID(), person_id: personId, lesson_id: lessonId, course_id: courseId, kind, seconds, created_at: receivedAt, received_at: receivedAt }).execute()
    },
    async attempt(personId: string, quizId: string, score: number, receivedAt: number) {
      await db
        .insertInto('quiz_attempt')
        .values({ id: randomUUID(), person_id: personId, quiz_id: quizId, quiz_version: 1, answers: '[]', correct: 0, total: 10, score, passed: score >= 60 ? 1 : 0, client_score: null, started_at: receivedAt, device: 'd', created_at: receivedAt, received_at: receivedAt })
        .execute()
    },
    async meeting(orgUnitId: string, createdBy: string, type: string, topic: string, startsAt: number) {
      const id = randomUUID()
      await db
        .insertInto('meeting')
        .values({ id, org_unit_id: orgUnitId, type, starts_at: startsAt, ends_at: startsAt + 7200000, place: '村委会', topic, lesson_id: null, created_by: createdBy, checkin_code: '123456', device: 'd', created_at: startsAt, received_at: startsAt })
        .execute()
      return id
    },
    async mark(meetingId: string, orgUnitId: string, personId: string, status: 'present' | 'leave' | 'absent' | 'checked_in', markedBy: string) {
      await db
        .insertInto('attendance_mark')
        .values({ record_id: randomUUID(), meeting_id: meetingId, org_unit_id: orgUnitId, person_id: personId, status, reason: null, marked_by: markedBy, device: 'd', created_at: 0, received_at: 0 })
        .execute()
    },
    /** `meetingId`: the record a guest check-in at that meeting made. */
    async flowing(personId: string, orgUnitId: string, status: 'pending' | 'confirmed', heldOn: number, receivedAt = heldOn, meetingId?: string) {
      await db
        .insertInto('flowing_record')
        .values({ id: randomUUID(), person_id: personId, org_unit_id: orgUnitId, held_on: heldOn, place: '深圳', organisation: '园区支部', content: '主题党日', photo: null, status, reason: null, reviewed_by: null, reviewed_at: null, device: 'd', created_at: heldOn, received_at: receivedAt, ...(meetingId ? { meeting_id: meetingId } : {}) })
        .execute()
    },
    async visit(personId: string, orgUnitId: string, visitedBy: string, visitedAt: number, note: string) {
      await db
        .insertInto('home_visit')
        .values({ id: randomUUID(), org_unit_id: orgUnitId, person_id: personId, visited_by: visitedBy, visited_at: visitedAt, studied: '党章第一章', note, lesson_id: null, photo: null, device: 'd', created_at: visitedAt, received_at: visitedAt })
        .execute()
    },
  }
}
