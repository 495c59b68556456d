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
}

export interface LessonTable extends SyncedColumns {
  id: string
  course_id: string
  title: string
  sort_order: number
  minutes: number
  audio: string | null
  body: string
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

export interface AssignmentTable extends SyncedColumns {
  id: string
  course_id: string
  due_at: number | null
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

/** What each device last told us about its outbox, for supervisors. */
export interface SyncDeviceTable {
  person_id: string
  device_id: string
  last_push_at: number
  outbox_count: number
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
}

export interface CheckinTable {
  id: string
  person_id: string
  code: string
  meeting_id: string | null
  state: 'pending' | 'accepted' | 'refused'
  reason: string | null
  device: string
  created_at: number
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
  course: CourseTable
  lesson: LessonTable
  pocket_category: PocketCategoryTable
  pocket_entry: PocketEntryTable
  assignment: AssignmentTable
  /** SQLite only; PostgreSQL uses the sequence sync_version_seq. */
  sync_version_counter: SyncVersionCounterTable
  meeting: MeetingTable
  attendance_mark: AttendanceMarkTable
  checkin: CheckinTable
  home_visit: HomeVisitTable
  flowing_record: FlowingRecordTable
  question: QuestionTable
  quiz: QuizTable
  quiz_snapshot: QuizSnapshotTable
  quiz_attempt: QuizAttemptTable
}

export type OrgUnitRow = Selectable<OrgUnitTable>
export type PersonRow = Selectable<PersonTable>
export type NewPerson = Insertable<PersonTable>
