import type { PushRecord, StudyEventPayload } from '../../../src/protocol/sync.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'

/** A valid study_event record with a fresh UUIDv7; override payload or envelope fields to break it. */
export function studyRecord(payload: Partial<StudyEventPayload> = {}, extra: Partial<PushRecord> = {}): PushRecord {
  return {
    id: uuidv7(),
    kind: 'study_event',
    payload: { lessonId: 'lesson-1', courseId: 'course-1', kind: 'studied', seconds: 60, ...payload },
    createdAt: Date.now(),
    deviceId: 'device-a',
    ...extra,
  }
}
