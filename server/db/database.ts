/**
 * The one typed picture of the server's tables, shared by every repository.
 * Times are epoch milliseconds (bigint) and flags are 0/1 integers on both SQLite and
 * PostgreSQL, so one code path serves both dialects.
 */
import type { Generated, Insertable, Selectable } from 'kysely'
import type { OrgKind, RoleName } from '../../src/protocol/auth.ts'

export interface OrgUnitTable {
  id: string
  parent_id: string | null
  kind: OrgKind
  name: string
  /** Materialised path of ids, "/a/b/c/": a subtree is a range scan on this index. */
  path: string
  created_at: number
  /** Set when a supervisor retires the unit (migration 011); it then takes no new people. */
  retired_at?: number | null
}

export interface PersonTable {
  id: string
  phone: string
  name: string
  password_hash: string
  /** The party group (or other unit) the person belongs to. */
  org_unit_id: string
  is_flowing: number
  is_elderly: number
  status: 'active' | 'inactive'
  created_at: number
  /** Joined the Party (member group "newly joined"); migration 007. */
  joined_party_at: number | null
  /** Branch committee member (member group "committee"); migration 007. */
  is_committee: Generated<number>
  /** 1 after an admin set a one-time password (create, import, reset); migration 019. */
  must_change_password: Generated<number>
  /** Last change by the person themself (null: never); for PASSWORD_MAX_AGE_DAYS. Migration 019. */
  password_changed_at?: number | null
  /** PRIVACY_NOTICE_VERSION the person last accepted (null: never); migration 023. */
  privacy_accepted_version?: string | null
  privacy_accepted_at?: number | null
  /** When a deletion request erased the person's personal fields (null: never); migration 024. */
  erased_at?: number | null
  /** Occupation category for training-needs splits (OCCUPATIONS; null: not given); migration 037. */
  occupation?: string | null
  /** Year of birth for the age-band split (null: not given); migration 037. */
  birth_year?: number | null
}

export interface RoleTable {
  person_id: string
  org_unit_id: string
  role: RoleName
}

export interface SessionTable {
  id: string
  /** SHA-256 of the bearer token: a leaked table cannot be replayed as sessions. */
  token_hash: string
  person_id: string
  device_name: string
  created_at: number
  last_seen_at: number
  expires_at: number
  revoked_at: number | null
  /** Last time this session proved the password (sign-in or step-up); migration 019. */
  verified_at?: number | null
}

export interface RateLimitTable {
  key: string
  window_start: number
  hits: number
}

export interface AuditLogTable {
  id: Generated<number>
  person_id: string | null
  action: string
  target: string
  detail: string
  device: string
  at: number
  /** Path of the org unit the change concerns, for supervisors' subtree view (migration 011). */
  org_path?: string | null
}

/** 师资库: a lecturer serving the subtree of `org_unit_id` (migration 011). */
export interface LecturerTable {
  id: string
  name: string
  title: string
  /** JSON string array */
  topics: string
  contact: string
  org_unit_id: string
  retired_at: number | null
  created_by: string
  created_at: number
  updated_at: number
}

export interface LecturerRequestTable {
  id: string
  lecturer_id: string
  /** the requesting unit */
  org_unit_id: string
  meeting_at: number
  topic: string
  note: string
  status: 'requested' | 'accepted' | 'declined'
  answer: string | null
  requested_by: string
  decided_by: string | null
  decided_at: number | null
  created_at: number
}

/** Columns every table that phones cache carries (see server/db/version.ts). */
export interface SyncedColumns {
  /** Content is visible to people in this unit's subtree (demo content: the district). */
  org_unit_id: string
  /** From the one sync sequence: a pull returns rows with version > cursor. */
  version: number
  published_at: number
  /** Tombstone: set instead of deleting, so phones learn about the deletion. */
  deleted_at: number | null
  /** SHA-256 of the imported fields: an unchanged re-import keeps the version. */
  content_hash: string
}

export interface CourseTable extends SyncedColumns {
  id: string
  title: string
  kind: 'theme' | 'specialty'
  category: string
  description: string
  cover: string | null
  sort_order: number
  body: string
  /** JSON [{url, bytes}]: every media file a course download stores. */
  media: string
  /** A unit's specialty category's title when `category` is one (migration 041); null for the six themes. */
  category_title?: string | null
  /** The pool lecturer a studio course names (migration 041). */
  lecturer_id?: string | null
}

export interface LessonTable extends SyncedColumns {
  id: string
  course_id: string
  title: string
  sort_order: number
  minutes: number
  audio: string | null
  /** JSON LessonVideo (src/protocol/content.ts), migration 033 */
  video: string | null
  /** sha256 of the video's original file: the processing job that updates this row (migration 036) */
  video_source?: string | null
  body: string
}

/** Making a video's poster and data-saver rendition (migration 036, features/video/). */
export interface VideoJobTable {
  id: string
  /** The original on this server's disk, read by the worker */
  source_path: string
  source_sha256: string
  /** JSON LessonVideo of the original */
  original: string
  uploaded_by: string | null
  state: 'queued' | 'running' | 'done' | 'failed'
  progress: Generated<number>
  attempts: Generated<number>
  heartbeat_at: number | null
  /** JSON VideoProcessing */
  result: string | null
  error: string | null
  created_at: number
  updated_at: number
}

export interface PocketCategoryTable extends SyncedColumns {
  id: string
  title: string
  title_en: string
  sort_order: number
}

export interface PocketEntryTable extends SyncedColumns {
  id: string
  category: string
  title: string
  /** JSON string array */
  tags: string
  body: string
}

/** A course OR a quiz assigned to a unit (optionally one member group) or to named people; migration 007. */
export interface AssignmentTable extends SyncedColumns {
  id: string
  course_id: string | null
  quiz_id: string | null
  due_at: number | null
  target: Generated<'unit' | 'people'>
  member_group: 'flowing' | 'elderly' | 'new' | 'committee' | null
  created_by: string | null
  created_at: Generated<number>
}

/** The named people of a `target = 'people'` assignment. */
export interface AssignmentPersonTable {
  assignment_id: string
  person_id: string
}

export interface SyncVersionCounterTable {
  id: number
  value: number
}

/** One row per pushed record ever applied, of any kind: the idempotency key of push sync. */
export interface AppliedRecordTable {
  id: string
  kind: string
  person_id: string
  device_id: string
  /** Device clock: data only. */
  created_at: number
  /** Server clock. */
  received_at: number
  /** The outcome a replay of this id gets (migration 016): `applied`, or `rejected` with the refusal below. */
  status: Generated<'applied' | 'rejected'>
  code: string | null
  message: string | null
  field: string | null
  /** Device clock corrected by the offset it learned from the server; null when it knew none. */
  corrected_at: number | null
  /** The refused record this one corrects. */
  replaces: string | null
}

export interface StudyEventTable {
  id: string
  person_id: string
  lesson_id: string
  course_id: string
  kind: 'opened' | 'completed' | 'studied'
  seconds: number
  created_at: number
  received_at: number
}

/** What each device last told us about its outbox, for supervisors (rebuilt in migration 009). */
export interface SyncDeviceTable {
  person_id: string
  device_id: string
  last_push_at: number | null
  last_pull_at: number | null
  /** As the device reported it with its last push (the batch included). */
  outbox_count: Generated<number>
  /** Still waiting on the device after that push: outbox_count minus the batch. */
  pending_count: Generated<number>
}

/** One row per person: the figures reports add up (migration 009; see reportStats.repository.ts). */
export interface ReportPersonStatsTable {
  person_id: string
  /** Newest study event (device time, never later than the server received it). */
  last_study_at: number | null
  study_seconds: Generated<number>
  /** Distinct quizzes attempted / passed at least once. */
  quizzes_attempted: Generated<number>
  quizzes_passed: Generated<number>
  /** Current attendance marks / those that count as attended. */
  marks: Generated<number>
  attended: Generated<number>
  /** Newest push or pull of any of the person's devices. */
  last_sync_at: number | null
  devices_pending: Generated<number>
  records_pending: Generated<number>
  /** The member's unit while active, null once deactivated (migration 014). */
  org_unit_id: string | null
  /** Courses assigned to the member (any target) and those with every lesson completed. */
  courses_assigned: Generated<number>
  courses_completed: Generated<number>
}

/**
 * A person (or a unit's meetings) whose report figures a change may have moved, waiting to be
 * folded into the summaries (migration 025, reportFold.ts).
 */
export interface ReportMarkTable {
  id: Generated<number>
  person_id: string | null
  org_unit_id: string | null
  marked_at: number
}

/** Distinct lessons a person completed per course (migration 009). */
/** Sums over the active members placed directly on one unit (migration 014). */
export interface ReportUnitStatsTable {
  org_unit_id: string
  members: Generated<number>
  never_studied: Generated<number>
  courses_assigned: Generated<number>
  courses_completed: Generated<number>
  quizzes_attempted: Generated<number>
  quizzes_passed: Generated<number>
  marks: Generated<number>
  attended: Generated<number>
  newest_sync_at: number | null
  oldest_sync_at: number | null
  never_synced: Generated<number>
  devices_pending: Generated<number>
  records_pending: Generated<number>
}

/** Meetings held per unit, calendar year (UTC+8) and type (migration 014). */
export interface ReportUnitMeetingsTable {
  org_unit_id: string
  year: number
  type: string
  meetings: number
}

export interface ReportCourseProgressTable {
  person_id: string
  course_id: string
  lessons_completed: number
}

/** A meeting created on a leader's phone (id made there); see migration 004. */
export interface MeetingTable {
  id: string
  org_unit_id: string
  type: string
  starts_at: number
  ends_at: number
  place: string
  topic: string
  lesson_id: string | null
  created_by: string
  checkin_code: string
  /** The QR code's long random token, made on the leader's phone (migration 018; null from older phones). */
  checkin_token: Generated<string | null>
  /** The study point where it is held: such a meeting is open to visitors (migration 013). */
  study_point_id: Generated<string | null>
  /** The pool lecturer who gave its lesson (migration 038). */
  lecturer_id: Generated<string | null>
  device: string
  created_at: number
  received_at: number
}

/** Append-only: the row with the highest `seq` per (meeting, person) is the current state. */
export interface AttendanceMarkTable {
  seq: Generated<number>
  record_id: string
  meeting_id: string
  org_unit_id: string
  person_id: string
  status: 'present' | 'leave' | 'absent' | 'remote' | 'checked_in'
  reason: string | null
  marked_by: string
  device: string
  created_at: number
  received_at: number
  /** 1: a flowing member's check-in at a meeting outside their own units (migration 008). */
  guest: Generated<number>
  /** Record id of the mark the phone showed for this member; null = none (migration 017). */
  based_on: Generated<string | null>
}

/** A mark that arrived based on an older mark than the current one: history only (migration 017). */
export interface AttendanceMarkOverruledTable {
  seq: Generated<number>
  record_id: string
  meeting_id: string
  org_unit_id: string
  person_id: string
  status: AttendanceMarkTable['status']
  reason: string | null
  marked_by: string
  device: string
  created_at: number
  received_at: number
  guest: Generated<number>
  based_on: string | null
  /** Record id of the mark that was current when this one arrived. */
  lost_to: string
}

export interface CheckinTable {
  id: string
  person_id: string
  code: string
  meeting_id: string | null
  state: 'pending' | 'accepted' | 'refused'
  reason: string | null
  /** A scanned QR code's token, kept until its meeting arrives (migration 018). */
  token: Generated<string | null>
  device: string
  created_at: number
  received_at: number
}

/** A typed check-in code that did not check the person in: the lockout counts these (migration 018). */
export interface CheckinFailureTable {
  person_id: string
  record_id: string
  /** What was tried (meeting named + code), so a replay counts once and a new guess counts again. */
  attempt: string
  /** The meeting the code was tried against, when the check-in named one. */
  meeting_id: string | null
  received_at: number
}

export interface HomeVisitTable {
  id: string
  org_unit_id: string
  person_id: string
  visited_by: string
  visited_at: number
  studied: string
  note: string
  lesson_id: string | null
  photo: string | null
  device: string
  created_at: number
  received_at: number
}

export interface FlowingRecordTable {
  id: string
  person_id: string
  org_unit_id: string
  held_on: number
  place: string
  organisation: string
  content: string
  photo: string | null
  status: 'pending' | 'confirmed' | 'returned'
  reason: string | null
  reviewed_by: string | null
  reviewed_at: number | null
  device: string
  created_at: number
  received_at: number
  /** Set when a guest check-in at this meeting made the record (confirmed, no review; migration 008). */
  meeting_id: Generated<string | null>
  /** The review in force (`flowing_record_review.id`; migration 017). */
  review_id: Generated<string | null>
}

/** Every review of a record card, append-only (migration 017). */
export interface FlowingRecordReviewTable {
  seq: Generated<number>
  /** The push record's id. */
  id: string
  record_id: string
  decision: 'confirmed' | 'returned'
  reason: string | null
  reviewed_by: string
  device: string
  based_on: string | null
  /** The review in force when this one arrived, when this one was not applied. */
  overruled_by: string | null
  created_at: number
  received_at: number
}

/** A quiz question; `answer` is included (phones score offline; the server re-scores). See migration 005. */
export interface QuestionTable extends SyncedColumns {
  id: string
  bank_id: string
  type: 'single' | 'multiple' | 'truefalse' | 'fill'
  stem: string
  /** JSON string array (choice questions; [] otherwise) */
  options: string
  /** JSON string array: letters for choice, ["true"|"false"], accepted texts for fill */
  answer: string
  explanation: string
  source_kind: 'lesson' | 'entry'
  source_id: string
  /** JSON string array */
  tags: string
  /** 1 = from a bank marked `exam: true`: never pulled (migration 031). */
  exam_only: number
}

export interface QuizTable extends SyncedColumns {
  id: string
  title: string
  description: string
  /** JSON QuizSelection: {fixed: ids} or {draw: {bank, count, tags}} */
  selection: string
  time_limit_minutes: number | null
  pass_mark: number
  shuffle_options: number
  /** 1 = every question from an exam bank: never pulled, only given as an exam (migration 031). */
  exam_only: number
}

/** An exam-only quiz given to a unit with a window and a per-person paper (migration 031). */
export interface ExamTable {
  id: string
  org_unit_id: string
  quiz_id: string
  quiz_version: number
  title: string
  opens_at: number
  closes_at: number
  attempts_allowed: number
  time_limit_minutes: number
  question_count: number
  pass_mark: number
  /** Secret: with the person id it fixes each paper; never sent. */
  seed: string
  created_by: string
  created_at: number
}

export interface ExamAttemptTable {
  /** The phone's attempt UUID. */
  id: string
  exam_id: string
  person_id: string
  attempt_no: number
  /** JSON [{questionId, answer: string[]}], original option letters */
  answers: string
  correct: number
  total: number
  score: number
  passed: number
  started_at: number
  device: string
  created_at: number
  received_at: number
}

/** A training-needs survey 需求调研 sent to a unit or one member group of it (migration 037). */
export interface SurveyTable {
  id: string
  org_unit_id: string
  member_group: 'flowing' | 'elderly' | 'new' | 'committee' | null
  title: string
  /** JSON SurveyQuestion[] */
  questions: string
  anonymous: number
  opens_at: number
  closes_at: number
  created_by: string
  created_at: number
}

/** One person's answer to a survey (a later one replaces it), with a snapshot of their groups. */
export interface SurveyAnswerTable {
  survey_id: string
  person_id: string
  /** The phone's UUID of the answer last stored. */
  answer_id: string
  age_band: string
  is_flowing: number
  is_elderly: number
  is_new: number
  occupation: string
  device: string
  /** When it was answered (the push record's server-bounded `at`). */
  created_at: number
  received_at: number
}

/** When the server handed a person their paper for one attempt (migration 038): the time limit runs from here. */
export interface ExamStartTable {
  exam_id: string
  person_id: string
  attempt_no: number
  started_at: number
}

/** A member's rating of a course or a meeting (migration 038); one per (person, target). */
export interface EvaluationTable {
  /** The phone's UUID of the latest rating. */
  id: string
  person_id: string
  target_kind: 'course' | 'meeting'
  target_id: string
  lecturer_id: string | null
  content: number
  usefulness: number
  lecturer: number | null
  comment: string
  device: string
  created_at: number
  received_at: number
}

/** One chosen option or rating (`value`) or one text of an answer. */
export interface SurveyAnswerItemTable {
  survey_id: string
  person_id: string
  question_id: string
  value: string | null
  text: string | null
  /** Its place in the answer (the key with survey and person). */
  item_no: number
}

/** Question quality, rebuilt off the request path (migration 038, server/features/itemStats). */
export interface ItemStatTable {
  question_id: string
  attempts: number
  difficulty: number
  discrimination: number
  flagged: number
  computed_at: number
}

/** What one quiz version could ask, with the answers of that time: attempts are scored against it. */
export interface QuizSnapshotTable {
  quiz_id: string
  version: number
  selection: string
  pass_mark: number
  /** JSON QuizQuestion[] */
  questions: string
}

export interface QuizAttemptTable {
  id: string
  person_id: string
  quiz_id: string
  quiz_version: number
  /** JSON [{questionId, answer: string[]}] as submitted */
  answers: string
  correct: number
  total: number
  /** Percent, re-scored on the server. */
  score: number
  passed: number
  /** What the phone said, kept for information only. */
  client_score: number | null
  started_at: number
  device: string
  created_at: number
  received_at: number
}

/** One planned course, quiz or meeting in a month of a unit's annual plan; see migration 010. */
export interface StudyPlanItemTable {
  id: string
  org_unit_id: string
  year: number
  month: number
  month_start: number
  kind: 'course' | 'quiz' | 'meeting'
  ref_id: string | null
  meeting_type: string | null
  title: string
  note: string
  created_by: string
  created_at: number
  updated_at: number
}

/** A study point 学习圈 (migration 013); coordinates in integer micro-degrees. */
export interface StudyPointTable {
  id: string
  name: string
  type: 'micro_party_school' | 'teaching_point' | 'education_base' | 'field_classroom' | 'workstation'
  address: string
  lat_e6: number
  lng_e6: number
  opening_hours: string
  contact_name: string
  contact_phone: string
  org_unit_id: string
  org_path: string
  retired_at: number | null
  created_by: string
  created_at: number
  updated_at: number
}

/** A study reflection 晒心得 (id made on the author's phone); see migration 012. */
export interface ReflectionTable {
  id: string
  person_id: string
  org_unit_id: string
  branch_id: string
  lesson_id: string | null
  course_id: string | null
  text: string
  photo_count: number
  status: 'normal' | 'excellent' | 'hidden'
  reason: string | null
  reviewed_by: string | null
  reviewed_at: number | null
  device: string
  created_at: number
  received_at: number
  /** The review in force (its push record id; migration 017). */
  review_id: Generated<string | null>
}

export interface ReflectionPhotoTable {
  reflection_id: string
  n: number
  data: string
}

export interface ReflectionReplyTable {
  id: string
  reflection_id: string
  person_id: string
  text: string
  device: string
  created_at: number
  received_at: number
}

export interface ReflectionLikeTable {
  reflection_id: string
  person_id: string
  received_at: number
}

/** Progress of `npm run db:copy` in its target (migration 029). */
export interface DbCopyTable {
  table_name: string
  rows: number
  checksum: string
  finished_at: number
}

export interface Database {
  org_unit: OrgUnitTable
  person: PersonTable
  role: RoleTable
  session: SessionTable
  rate_limit: RateLimitTable
  audit_log: AuditLogTable
  applied_record: AppliedRecordTable
  study_event: StudyEventTable
  sync_device: SyncDeviceTable
  report_person_stats: ReportPersonStatsTable
  report_mark: ReportMarkTable
  report_course_progress: ReportCourseProgressTable
  report_unit_stats: ReportUnitStatsTable
  report_unit_meetings: ReportUnitMeetingsTable
  course: CourseTable
  lesson: LessonTable
  pocket_category: PocketCategoryTable
  pocket_entry: PocketEntryTable
  assignment: AssignmentTable
  assignment_person: AssignmentPersonTable
  /** SQLite only; PostgreSQL uses the sequence sync_version_seq. */
  sync_version_counter: SyncVersionCounterTable
  meeting: MeetingTable
  attendance_mark: AttendanceMarkTable
  attendance_mark_overruled: AttendanceMarkOverruledTable
  checkin: CheckinTable
  checkin_failure: CheckinFailureTable
  home_visit: HomeVisitTable
  flowing_record: FlowingRecordTable
  flowing_record_review: FlowingRecordReviewTable
  question: QuestionTable
  quiz: QuizTable
  quiz_snapshot: QuizSnapshotTable
  quiz_attempt: QuizAttemptTable
  exam: ExamTable
  exam_attempt: ExamAttemptTable
  survey: SurveyTable
  survey_answer: SurveyAnswerTable
  survey_answer_item: SurveyAnswerItemTable
  exam_start: ExamStartTable
  evaluation: EvaluationTable
  item_stat: ItemStatTable
  reflection: ReflectionTable
  reflection_photo: ReflectionPhotoTable
  reflection_reply: ReflectionReplyTable
  reflection_like: ReflectionLikeTable
  lecturer: LecturerTable
  lecturer_request: LecturerRequestTable
  study_point: StudyPointTable
  study_plan_item: StudyPlanItemTable
  db_copy: DbCopyTable
  video_job: VideoJobTable
  studio_item: StudioItemTable
  studio_version: StudioVersionTable
  case_proposal: CaseProposalTable
  course_category: CourseCategoryTable
}

/** 好的进教材: an excellent reflection proposed as a case, and its author's answer (migration 043). */
export interface CaseProposalTable {
  id: string
  reflection_id: string
  author_id: string
  proposed_by: string
  org_unit_id: string
  target: 'lesson' | 'pocket_entry'
  course_item_id: string | null
  category: string | null
  title: string
  note: string
  status: 'asked' | 'agreed' | 'refused'
  show_name: number | null
  answered_at: number | null
  draft_item_id: string | null
  created_at: number
}

/** A unit's own specialty category of courses (migration 041). */
export interface CourseCategoryTable {
  id: string
  org_unit_id: string
  title: string
  created_by: string
  created_at: number
}

/** A course or pocket entry made in the studio (migration 034). */
export interface StudioItemTable {
  id: string
  kind: 'course' | 'pocket_entry' | 'question_bank' | 'quiz'
  /** The id of its published row in course / pocket_entry. */
  content_id: string
  org_unit_id: string
  title: string
  /** JSON CourseDraft | PocketEntryDraft (src/protocol/studio.ts) */
  draft: string
  /** Bumped on every save; a save names the revision it was based on. */
  revision: number
  status: 'draft' | 'submitted' | 'rejected' | 'published'
  submitted_by: string | null
  reject_reason: string | null
  published_version: number | null
  unpublished: number
  created_by: string
  updated_by: string
  updated_at: number
}

export interface StudioVersionTable {
  item_id: string
  number: number
  /** JSON of the draft as published */
  body: string
  edited_by: string
  approved_by: string
  published_at: number
  action: 'publish' | 'rollback'
  rolled_back_from: number | null
}

export type OrgUnitRow = Selectable<OrgUnitTable>
export type PersonRow = Selectable<PersonTable>
export type NewPerson = Insertable<PersonTable>
