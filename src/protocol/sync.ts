/**
 * The push half of the sync protocol (see docs/sync-protocol.md): a device sends the records
 * in its outbox, oldest first, and the server answers per record. Shared by the server (TypeBox
 * schemas) and the PWA (`import type` only).
 */
import { Type, type Static } from 'typebox'
import type { FlowingRecordPayload, FlowingRecordReviewPayload } from './flowing.ts'
import type { ExamAttemptPayload } from './exam.ts'
import type { SurveyAnswerPayload } from './survey.ts'
import type { CaseConsentPayload } from './cases.ts'
import type { EvaluationPayload } from './evaluation.ts'
import type { QuizAttemptPayload } from './quiz.ts'
import type { ReflectionLikePayload, ReflectionPostPayload, ReflectionReplyPayload, ReflectionReviewPayload } from './reflections.ts'
import type { AttendanceMarkPayload, CheckinPayload, HomeVisitPayload, MeetingCreatePayload } from './attendance.ts'

/** A batch holds at most this many records… */
export const PUSH_MAX_RECORDS = 500
/** …and its JSON body at most this many bytes; the server answers 413 beyond it. */
export const PUSH_MAX_BYTES = 256 * 1024

/** UUIDv7 made on the device: 48-bit ms timestamp, version 7, RFC 4122 variant. */
export const RecordId = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
  description: 'UUIDv7 made on the device, lower case; the idempotency key of the record',
})

/**
 * Absolute bounds of any time a device sends (`createdAt`, `correctedAt`), epoch ms. Times are
 * stored in bigint columns; outside this range a value can only be a broken clock or a forged
 * record, and the server refuses that record (`INVALID_PAYLOAD`, field `createdAt`) rather than
 * fail the batch in the database.
 */
export const RECORD_TIME_MIN = Date.UTC(2020, 0, 1)
export const RECORD_TIME_MAX = Date.UTC(2100, 0, 1)

/**
 * One outbox record as sent. The envelope checks only its shape; whether `kind` is known and
 * `payload` fits that kind is decided per record, so one bad record cannot block a batch.
 */
export const PushRecord = Type.Object(
  {
    id: RecordId,
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    payload: Type.Unknown({ description: 'validated by the schema of `kind`' }),
    createdAt: Type.Integer({ description: 'device clock, epoch ms: kept as data, never trusted for ordering' }),
    deviceId: Type.String({ minLength: 1, maxLength: 64 }),
    /**
     * Device time corrected by the offset the device learned from the server's `Date` header,
     * epoch ms; omitted when the device knows no offset. The server still bounds it by its own clock.
     */
    correctedAt: Type.Optional(Type.Integer({ description: 'device clock corrected by the learned server offset, epoch ms' })),
    /** A refused record the member corrected goes out under a new id naming the refused one. */
    replaces: Type.Optional(RecordId),
  },
  { additionalProperties: false },
)
export type PushRecord = Static<typeof PushRecord>

export const PushBody = Type.Object(
  {
    deviceId: Type.String({ minLength: 1, maxLength: 64 }),
    /**
     * How many records were waiting on the device when this batch left, the batch included
     * (supervisors' data freshness). Optional: clients that do not send it stay valid.
     */
    outboxCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    records: Type.Array(PushRecord, { minItems: 1, maxItems: PUSH_MAX_RECORDS }),
  },
  { additionalProperties: false },
)
export type PushBody = Static<typeof PushBody>

export const RejectionCode = Type.Union([
  Type.Literal('UNKNOWN_KIND'),
  Type.Literal('INVALID_PAYLOAD'),
  Type.Literal('FORBIDDEN'),
  Type.Literal('ID_TAKEN'),
  Type.Literal('DUPLICATE_IN_BATCH'),
  /** Passed every rule but could not be stored (the database refused it); the rest of the batch was. */
  Type.Literal('UNPROCESSABLE'),
  /** Made (by its UUIDv7) longer ago than the server keeps record ids, LEDGER_MAX_AGE_DAYS (400 by default). */
  Type.Literal('TOO_OLD'),
])
export type RejectionCode = Static<typeof RejectionCode>

export const PushResult = Type.Union([
  Type.Object({ id: Type.String(), status: Type.Literal('applied') }),
  Type.Object({ id: Type.String(), status: Type.Literal('duplicate') }),
  Type.Object({
    id: Type.String(),
    status: Type.Literal('rejected'),
    code: Type.String({ description: 'stable code, e.g. INVALID_PAYLOAD, FORBIDDEN, UNKNOWN_KIND' }),
    message: Type.String({ description: 'readable reason' }),
    field: Type.Optional(Type.String({ description: 'e.g. payload.seconds' })),
  }),
])
export type PushResult = Static<typeof PushResult>

export const PushResponse = Type.Object({
  /** One answer per record, in the order sent. */
  results: Type.Array(PushResult),
  /** Server clock when the batch was applied, epoch ms. */
  receivedAt: Type.Integer(),
})
export type PushResponse = Static<typeof PushResponse>

// ---- kinds ---------------------------------------------------------------------------------

/**
 * Most seconds one study_event may add: 4 hours. The PWA hands time over every minute the lesson
 * is on screen, so a real event holds about 60 s; 4 h is the longest sitting a lesson (or a whole
 * morning's concentrated training) takes, so an honest client never reaches it, while a forged or
 * broken one can no longer add a day per record to the study-time figures.
 */
export const STUDY_EVENT_MAX_SECONDS = 4 * 60 * 60

export const StudyEventPayload = Type.Object(
  {
    lessonId: Type.String({ minLength: 1, maxLength: 64 }),
    courseId: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Union([Type.Literal('opened'), Type.Literal('completed'), Type.Literal('studied')]),
    /** Seconds of study this event adds; one event covers at most one sitting (STUDY_EVENT_MAX_SECONDS). */
    seconds: Type.Integer({ minimum: 0, maximum: STUDY_EVENT_MAX_SECONDS }),
  },
  { additionalProperties: false },
)
export type StudyEventPayload = Static<typeof StudyEventPayload>

/** Payload type of every kind the server accepts: the client's `enqueue` is typed by it. */
export interface OutboxKinds {
  study_event: StudyEventPayload
  meeting_create: MeetingCreatePayload
  attendance_mark: AttendanceMarkPayload
  checkin: CheckinPayload
  home_visit: HomeVisitPayload
  flowing_record: FlowingRecordPayload
  flowing_record_review: FlowingRecordReviewPayload
  quiz_attempt: QuizAttemptPayload
  exam_attempt: ExamAttemptPayload
  survey_answer: SurveyAnswerPayload
  evaluation: EvaluationPayload
  reflection_post: ReflectionPostPayload
  reflection_reply: ReflectionReplyPayload
  reflection_like: ReflectionLikePayload
  reflection_review: ReflectionReviewPayload
  case_consent: CaseConsentPayload
}
export type OutboxKind = keyof OutboxKinds
