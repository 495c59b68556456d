/**
 * The registry of push kinds: the only list of what a device may send. Add a kind by writing
 * `<kind>.kind.ts` (schema + authorisation rule + handler) and adding it here.
 */
import { Compile, type Validator } from 'typebox/compile'
import type { SyncKind } from './kind.ts'
import { attendanceMark } from './attendance_mark.kind.ts'
import { caseConsent } from './case_consent.kind.ts'
import { checkin } from './checkin.kind.ts'
import { examAttempt } from './exam_attempt.kind.ts'
import { evaluation } from './evaluation.kind.ts'
import { flowingRecord } from './flowing_record.kind.ts'
import { flowingRecordReview } from './flowing_record_review.kind.ts'
import { homeVisit } from './home_visit.kind.ts'
import { meetingCreate } from './meeting_create.kind.ts'
import { quizAttempt } from './quiz_attempt.kind.ts'
import { reflectionLike } from './reflection_like.kind.ts'
import { reflectionPost } from './reflection_post.kind.ts'
import { reflectionReply } from './reflection_reply.kind.ts'
import { reflectionReview } from './reflection_review.kind.ts'
import { studyEvent } from './study_event.kind.ts'
import { surveyAnswer } from './survey_answer.kind.ts'

// `SyncKind<any>`: each kind's handler is typed by its own schema; the registry only routes.
const ALL: SyncKind<any>[] = [studyEvent, meetingCreate, attendanceMark, checkin, homeVisit, flowingRecord, flowingRecordReview, quizAttempt, examAttempt, surveyAnswer, evaluation, reflectionPost, reflectionReply, reflectionLike, reflectionReview, caseConsent]

export interface RegisteredKind {
  def: SyncKind<any>
  validator: Validator
}

/** Schemas are compiled once at start-up, so checking 500 payloads costs microseconds each. */
export const KINDS: ReadonlyMap<string, RegisteredKind> = new Map(
  ALL.map((def) => [def.kind, { def, validator: Compile(def.payload) }]),
)
