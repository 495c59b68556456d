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

/** A UUIDv7 made at `ms` (the shared maker never goes back in time, so it cannot make an old one). */
export function idMadeAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0')
  const rand = [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand.slice(0, 3)}-${'89ab'[parseInt(rand[3]!, 16) % 4]}${rand.slice(4, 7)}-${rand.slice(7, 19)}`
}

/** A study_event record whose id (and device time) is `ms`. */
export function studyRecordAt(ms: number): PushRecord {
  return studyRecord({}, { id: idMadeAt(ms), createdAt: ms })
}
