/**
 * `evaluation`: a member's rating of a course they completed or a meeting they attended
 * (docs/quiz.md "Evaluations"). Ratings 1–5 and the comment's length are the schema's; here:
 * the course must be completed (every lesson, counting completions earlier in this batch, since
 * both are often queued offline together), the meeting attended (latest mark present, remote or
 * checked in, or a check-in earlier in this batch), and a lecturer rating only for a meeting with
 * a pool lecturer. One row per (person, target): a later rating (by server-bounded time) replaces
 * the earlier one, an older one arriving late changes nothing.
 */
import { EvaluationPayload } from '../../../../src/protocol/evaluation.ts'
import type { CheckinPayload } from '../../../../src/protocol/attendance.ts'
import type { StudyEventPayload } from '../../../../src/protocol/sync.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

const ATTENDED = new Set(['present', 'remote', 'checked_in'])
const lecturerOf = new WeakMap<KindContext, Map<string, string | null>>()

/** Lessons of each course this person completed, in the database or earlier in this batch. */
async function completedLessons(ctx: KindContext, courseIds: string[]): Promise<Map<string, Set<string>>> {
  const done = new Map<string, Set<string>>(courseIds.map((c) => [c, new Set()]))
  if (courseIds.length === 0) return done
  const rows = await ctx.trx
    .selectFrom('study_event')
    .select(['course_id', 'lesson_id'])
    .distinct()
    .where('person_id', '=', ctx.auth.personId)
    .where('course_id', 'in', courseIds)
    .where('kind', '=', 'completed')
    .execute()
  for (const r of rows) done.get(r.course_id)?.add(r.lesson_id)
  for (const b of ctx.batch) {
    const p = b.record.payload as StudyEventPayload
    if (b.kind === 'study_event' && p.kind === 'completed') done.get(p.courseId)?.add(p.lessonId)
  }
  return done
}

export const evaluation = defineKind({
  kind: 'evaluation',
  payload: EvaluationPayload,
  async authorize(ctx, records) {
    const personId = ctx.auth.personId
    const courseIds = [...new Set(records.filter((r) => r.payload.target === 'course').map((r) => r.payload.targetId))]
    const meetingIds = [...new Set(records.filter((r) => r.payload.target === 'meeting').map((r) => r.payload.targetId))]
    const lessons = new Map<string, string[]>()
    if (courseIds.length) {
      for (const l of await ctx.trx.selectFrom('lesson').select(['id', 'course_id']).where('course_id', 'in', courseIds).where('deleted_at', 'is', null).execute()) {
        lessons.set(l.course_id, [...(lessons.get(l.course_id) ?? []), l.id])
      }
    }
    const done = await completedLessons(ctx, courseIds)
    const meetings = new Map(
      meetingIds.length ? (await ctx.trx.selectFrom('meeting').select(['id', 'lecturer_id']).where('id', 'in', meetingIds).execute()).map((m) => [m.id, m.lecturer_id]) : [],
    )
    // The latest mark per meeting for this person (append-only marks: highest seq wins).
    const latest = new Map<string, string>()
    if (meetingIds.length) {
      const marks = await ctx.trx.selectFrom('attendance_mark').select(['meeting_id', 'status']).where('person_id', '=', personId).where('meeting_id', 'in', meetingIds).orderBy('seq').execute()
      for (const m of marks) latest.set(m.meeting_id, m.status)
    }
    const checkedIn = new Set(ctx.batch.filter((b) => b.kind === 'checkin').map((b) => (b.record.payload as CheckinPayload).meetingId))
    const decided = new Map<string, string | null>()
    lecturerOf.set(ctx, decided)

    return records.map((r): Refusal | null => {
      const p = r.payload
      if (p.target === 'course') {
        const all = lessons.get(p.targetId)
        if (!all) return { code: 'INVALID_PAYLOAD', message: `Course "${p.targetId}" does not exist.`, field: 'payload.targetId' }
        if (!all.every((id) => done.get(p.targetId)!.has(id))) return { code: 'EVALUATION_TARGET', message: 'Only a course you have completed can be rated.', field: 'payload.targetId' }
        if (p.lecturer !== undefined) return { code: 'INVALID_PAYLOAD', message: 'A course has no lecturer to rate.', field: 'payload.lecturer' }
        decided.set(r.id, null)
        return null
      }
      if (!meetings.has(p.targetId)) return { code: 'INVALID_PAYLOAD', message: `Meeting "${p.targetId}" does not exist.`, field: 'payload.targetId' }
      if (!ATTENDED.has(latest.get(p.targetId) ?? '') && !checkedIn.has(p.targetId)) {
        return { code: 'EVALUATION_TARGET', message: 'Only a meeting you attended can be rated.', field: 'payload.targetId' }
      }
      const lecturerId = meetings.get(p.targetId) ?? null
      if (p.lecturer !== undefined && lecturerId === null) return { code: 'INVALID_PAYLOAD', message: 'This meeting had no lecturer from the pool.', field: 'payload.lecturer' }
      decided.set(r.id, lecturerId)
      return null
    })
  },
  async apply(ctx, records) {
    const decided = lecturerOf.get(ctx)!
    for (const r of records) {
      const p = r.payload
      const lecturerId = decided.get(r.id) ?? null
      const row = {
        id: p.evaluationId,
        lecturer_id: lecturerId,
        content: p.content,
        usefulness: p.usefulness,
        lecturer: lecturerId === null ? null : (p.lecturer ?? null),
        comment: p.comment.trim(),
        device: r.deviceId,
        created_at: r.at,
        received_at: ctx.receivedAt,
      }
      await ctx.trx
        .insertInto('evaluation')
        .values({ ...row, person_id: r.personId, target_kind: p.target, target_id: p.targetId })
        .onConflict((oc) => oc.columns(['person_id', 'target_kind', 'target_id']).doUpdateSet(row).where('evaluation.created_at', '<=', r.at))
        .execute()
    }
  },
})
