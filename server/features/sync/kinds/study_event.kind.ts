/**
 * `study_event`: a member opened, completed or studied a lesson. The person is the signed-in
 * person; the payload has no person field and could not name one (additionalProperties: false).
 */
import { StudyEventPayload } from '../../../../src/protocol/sync.ts'
import { defineKind } from './kind.ts'

export const studyEvent = defineKind({
  kind: 'study_event',
  payload: StudyEventPayload,
  // Anyone signed in may record their own study: the record is about them by construction.
  async authorize(_ctx, records) {
    return records.map(() => null)
  },
  async apply({ trx, receivedAt }, records) {
    await trx
      .insertInto('study_event')
      .values(
        records.map((r) => ({
          id: r.id,
          person_id: r.personId,
          lesson_id: r.payload.lessonId,
          course_id: r.payload.courseId,
          kind: r.payload.kind,
          seconds: r.payload.seconds,
          created_at: r.at,
          received_at: receivedAt,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
  },
})
