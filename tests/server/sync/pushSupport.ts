import type { PushRecord, StudyEventPayload } from '../../../src/protocol/sync.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'

/** A record of any kind with a fresh UUIDv7, sent from `device-a` now. */
export function pushRecord(kind: string, payload: unknown, extra: Partial<PushRecord> = {}): PushRecord {
  return { id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'device-a', ...extra }
}

/** A valid study_event record with a fresh UUIDv7; override payload or envelope fields to break it. */
export function studyRecord(payload: Partial<StudyEventPayload> = {}, extra: Partial<PushRecord> = {}): PushRecord {
  return pushRecord('study_event', { lessonId: 'lesson-1', courseId: 'course-1', kind: 'studied', seconds: 60, ...payload }, extra)
}
