import type { MeetingCreatePayload } from '../../../src/protocol/attendance.ts'
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

/** A random 6-digit check-in code (first digit never 0, as the phone makes them). */
const randomCheckinCode = () => String(100000 + Math.floor(Math.random() * 900000))

/**
 * A valid meeting_create payload for `orgUnitId`: a group meeting that started ten minutes ago
 * and runs for an hour (inside the check-in window), with a fresh id and code.
 */
export function meetingPayload(orgUnitId: string, over: Partial<MeetingCreatePayload> = {}): MeetingCreatePayload {
  return {
    meetingId: crypto.randomUUID(),
    orgUnitId,
    type: 'group_meeting',
    startsAt: Date.now() - 10 * 60 * 1000,
    endsAt: Date.now() + 50 * 60 * 1000,
    place: '村委会会议室',
    topic: '学习党章',
    checkinCode: randomCheckinCode(),
    ...over,
  }
}

/** A 1×1 JPEG without EXIF: a photo every push kind accepts, small enough to compare bytes. */
export const TINY_JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==', 'base64')
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
