/**
 * The one Dexie database on the phone. Every schema change is a new `version(n)` step below;
 * a shipped version is never edited, so phones upgrade in order without losing their outbox.
 */
import Dexie, { type EntityTable, type Table } from 'dexie'
import { DB_NAME } from './dbName.ts'
import type { Profile } from '@/protocol/auth.ts'
import type { Assignment, Course, Lesson, PocketCategory, PocketEntry } from '@/protocol/content.ts'
import type { MyExam } from '@/protocol/exam.ts'
import type { MySurvey, SurveyAnswer } from '@/protocol/survey.ts'
import type { Question, Quiz } from '@/protocol/quiz.ts'
import type { QuizScore } from '@/protocol/quiz.scoring.ts'
import type { MarkStatus, Meeting, MeetingAttendee, RosterMember } from '@/protocol/attendance.ts'
import type { FlowingRecord } from '@/protocol/flowing.ts'
import type { StudyPoint } from '@/protocol/studyPoints.ts'
import type { Reflection } from '@/protocol/reflections.ts'
import type { CaseProposal } from '@/protocol/cases.ts'
import type { ArchiveLesson, ArchiveMeeting, ArchiveQuiz, ArchiveSummary, ArchiveVisit } from '@/protocol/archive.ts'

/** The signed-in device session, kept so a member stays signed in offline. */
export interface StoredSession {
  token: string
  sessionId: string
  expiresAt: number
  profile: Profile
}

/** Small named values: the session, sync cursors, the device id. */
export interface MetaRow {
  key: string
  value: unknown
}

/** A member's own progress in one lesson (kept on the phone; study events carry it to the server). */
export interface ProgressRow {
  lessonId: string
  courseId: string
  seconds: number
  completedAt: number | null
  lastOpenedAt: number
}

/** A favourite lesson or pocket-book entry; key is "lesson:<id>" or "entry:<id>". */
export interface BookmarkRow {
  key: string
  kind: 'lesson' | 'entry'
  id: string
  title: string
  createdAt: number
}

/** A course whose media sit in the Cache Storage for offline use. */
export interface DownloadRow {
  courseId: string
  bytes: number
  urls: string[]
  downloadedAt: number
}

/**
 * A lesson video being (or done being) downloaded in chunks (src/features/library/video/).
 * `bytes` and `etag` are the file's as the first chunk reported them: a chunk from a different
 * file throws every stored chunk away, so playback never mixes two files.
 */
export interface VideoDownloadRow {
  url: string
  lessonId: string
  title: string
  bytes: number
  etag: string | null
  chunkBytes: number
  /** chunks 0 … chunks-1 are stored */
  chunks: number
  state: 'downloading' | 'paused' | 'done'
  updatedAt: number
  /** which rendition this file is (not indexed: rows from before renditions read as 'hd') */
  kind?: 'hd' | 'saver'
}

/** One stored piece of a video: bytes [index × chunkBytes, …) of the file at `url`. */
export interface VideoChunkRow {
  url: string
  index: number
  data: ArrayBuffer
}

/** Where the member stopped watching a lesson's video, kept on this phone only. */
export interface VideoPositionRow {
  lessonId: string
  seconds: number
  /** merged [from, to] seconds actually played (watchCoverage.ts) */
  watched: Array<[number, number]>
}

/**
 * The serialised search index and the pull cursor it reflects: gzip-compressed JSON, or the plain
 * JSON where the browser cannot compress (and in rows saved before compression).
 */
export interface SearchIndexRow {
  key: string
  cursor: string
  json?: string
  gzip?: Uint8Array<ArrayBuffer>
}

/**
 * A write waiting to reach the server (see src/features/sync/outbox.db.ts). Primary key `seq` is
 * IndexedDB's auto-increment, so "oldest first" is the order the writes were made on this device
 * even when the phone's clock jumps; `id` (UUIDv7) is the server's idempotency key.
 */
export interface OutboxRecord {
  seq?: number
  id: string
  kind: string
  payload: unknown
  /** Device clock, epoch ms: sent as data, never trusted by the server. */
  createdAt: number
  deviceId: string
  /** Who was signed in when the write was made: a record is sent only under that person's session. */
  personId?: string
  attempts: number
  lastError?: string
  lastAttemptAt?: number
  /** `createdAt` corrected by the server offset learned before the write (absent while none is known). */
  correctedAt?: number
  /** The id of the refused record this one corrects (sent as `replaces`). */
  replaces?: string
  /** Failed alone twice with a server error: sent again alone only once another batch got through. */
  suspect?: boolean
  /** The server does not know this kind yet (UNKNOWN_KIND): skipped until then, or until another app version. */
  heldUntil?: number
  heldVersion?: string
}

/** A record the server refused: kept until the member fixes or discards it, never dropped silently. */
export interface DeadLetterRecord extends Omit<OutboxRecord, 'seq'> {
  code: string
  message: string
  field?: string
  movedAt: number
  /** The member corrected it: the new record's id, and what became of that one. */
  correctedBy?: string
  correction?: 'waiting' | 'accepted' | 'refused'
}

/** A meeting on the phone: pulled from the server, or created here and still waiting in the outbox. */
export interface MeetingRow extends Meeting {
  /** Made on this phone and not yet confirmed by the server. */
  local?: boolean
  /** The outbox record that carries it, while made here. */
  recordId?: string
}

/** A leader's mark as made on this phone (append-only, like the server's). */
export interface LocalMarkRow {
  localSeq?: number
  /** The outbox record that carries it: "waiting to sync" while that record is in the outbox. */
  recordId: string
  meetingId: string
  personId: string
  status: MarkStatus
  reason: string | null
  createdAt: number
}

/** The server's answer for one meeting (everyone's status and history) and when it was read. */
export interface MeetingStateRow {
  meetingId: string
  fetchedAt: number
  attendees: MeetingAttendee[]
}

/** A member's own check-in as sent from this phone. */
export interface LocalCheckinRow {
  id: string
  code: string
  meetingId: string | null
  createdAt: number
}

export type RosterRow = RosterMember

/** A home visit 上门送学: recorded here (waiting in the outbox) or read from the server. The photo
 * itself travels only in the outbox record. */
export interface HomeVisitRow {
  id: string
  orgUnitId: string
  personId: string
  personName: string
  visitedAt: number
  studied: string
  note: string
  hasPhoto: boolean
  recordId?: string
}

/**
 * A flowing member's record card entry 一卡: their own (made here or read from the server), or
 * one a leader reviews. `recordId` is the outbox id while the record exists only on this phone;
 * `reviewRecordId` the outbox id of a review made here and not yet sent.
 */
export interface FlowingRecordRow extends FlowingRecord {
  recordId?: string
  reviewRecordId?: string
}

/**
 * A quiz attempt on this phone: in progress (saved after every answer, so it survives a reload;
 * the timer counts from `startedAt`) or submitted (with the phone's score; the outbox carries it
 * to the server, which scores it again).
 */
export interface QuizAttemptRow {
  id: string
  quizId: string
  quizVersion: number
  state: 'active' | 'done'
  /** The questions drawn for this attempt, in the order shown. */
  questionIds: string[]
  /** Per question, the original option indexes in the order shown (shuffleOptions). */
  optionOrder: Record<string, number[]>
  /** Per question: letters of the ORIGINAL options, "true"/"false", or the typed text. */
  answers: Record<string, string[]>
  current: number
  startedAt: number
  submittedAt: number | null
  score: QuizScore | null
}

/**
 * An exam attempt on this phone (docs/quiz.md "Exams"). `active` while being answered (saved
 * after every answer, like a quiz); `sealed` once submitted: never edited again, and sealed in
 * the same transaction that queues its `exam_attempt` record. The phone has no answers to score
 * with: the score comes from the server (`examPapers`.results).
 */
export interface ExamAttemptRow {
  id: string
  examId: string
  attemptNo: number
  state: 'active' | 'sealed'
  /** Per question: ORIGINAL option letters, "true"/"false", or the typed text. */
  answers: Record<string, string[]>
  current: number
  startedAt: number
  sealedAt: number | null
}

/**
 * This member's answer to a survey on this phone (docs/surveys.md). `draft` while being filled
 * in; `sent` once submitted, in the same transaction that queues its `survey_answer` record.
 * Submitting again (while the survey is open) queues a new record that replaces the earlier.
 */
export interface SurveyAnswerRow {
  surveyId: string
  state: 'draft' | 'sent'
  answers: Record<string, SurveyAnswer>
  sentAt: number | null
}

/** The member's own rating of a course or meeting (docs/quiz.md "Evaluations"); one per target. */
/**
 * A proposal to use one of the member's reflections as a case (好的进教材), as last read from the
 * server, with the answer given on this phone (`answer`, kept until the server's copy shows it).
 */
export interface CaseRequestRow extends CaseProposal {
  answer?: { agree: boolean; showName: boolean; at: number }
}

export interface EvaluationRow {
  /** `course:<id>` or `meeting:<id>` */
  key: string
  evaluationId: string
  target: 'course' | 'meeting'
  targetId: string
  content: number
  usefulness: number
  lecturer?: number
  comment: string
  ratedAt: number
}

/** A question in the wrong-answer book 错题本 (rule: src/features/quiz/wrongBook.ts). */
export interface WrongAnswerRow {
  questionId: string
  addedAt: number
  /** Local day (YYYY-MM-DD) it was last answered wrong. */
  wrongDay: string
  /** Later local days it was answered right; two of them and it leaves the book. */
  rightDays: string[]
}

/** Where one question stands in daily practice 每日一练 (Leitner box; rule: src/features/quiz/practice.ts). */
export interface PracticeCardRow {
  questionId: string
  /** 1–5; the interval before the next review doubles with each box. */
  box: number
  /** Local day (YYYY-MM-DD) it is due again. */
  dueDay: string
  lastDay: string
}

/** One day's practice set, fixed when first opened that day, with the answers given so far. */
export interface PracticeDayRow {
  /** Local day YYYY-MM-DD (never earlier than the latest day already here: see practice.ts). */
  day: string
  questionIds: string[]
  answers: Record<string, string[]>
  /** Set once every question of the day is answered: that day counts for the streak. */
  doneAt: number | null
}

/**
 * A study reflection 晒心得 as this phone shows it, once per feed it appears in ('group' or the
 * branch's 'excellent'). Rows come from the server's pages, or from writes made here: `recordId` is
 * the outbox id of a post still waiting to be sent, `waiting` the outbox ids of this person's
 * likes, replies and reviews not yet sent (a refresh keeps the row until they are gone).
 */
export interface ReflectionRow extends Reflection {
  feed: 'group' | 'excellent'
  /** Newest first: receivedAt (or the phone's clock while waiting), zero-padded, then id. */
  sortKey: string
  recordId?: string
  waiting?: string[]
}

/** A reflection's photos (base64 JPEG), kept for offline reading. */
export interface ReflectionPhotosRow {
  reflectionId: string
  photos: string[]
}

/** One page of a list as the server answered it. */
interface PageRow<T> {
  items: T[]
  next: string | null
}

/**
 * The member's OWN training archive 培训档案 for one year, as last read online (summary and the
 * first page of each section), so it still opens offline. Leaders' views of others are not kept.
 */
export interface ArchiveRow {
  personId: string
  year: number
  summary: ArchiveSummary
  sections: { lessons: PageRow<ArchiveLesson>; quizzes: PageRow<ArchiveQuiz>; meetings: PageRow<ArchiveMeeting>; visits: PageRow<ArchiveVisit> }
  fetchedAt: number
}

/**
 * Version 1 as shipped. Exported so the upgrade test can build a real version-1 database; never
 * edit it: add a new version below instead.
 */
export const SCHEMA_V1 = {
  meta: 'key',
  outbox: '++seq, &id, kind',
  deadLetter: 'id, movedAt',
} as const

export class PocketDb extends Dexie {
  meta!: EntityTable<MetaRow, 'key'>
  outbox!: EntityTable<OutboxRecord, 'seq'>
  deadLetter!: EntityTable<DeadLetterRecord, 'id'>
  courses!: EntityTable<Course, 'id'>
  lessons!: EntityTable<Lesson, 'id'>
  pocketCategories!: EntityTable<PocketCategory, 'id'>
  pocketEntries!: EntityTable<PocketEntry, 'id'>
  assignments!: EntityTable<Assignment, 'id'>
  progress!: EntityTable<ProgressRow, 'lessonId'>
  bookmarks!: EntityTable<BookmarkRow, 'key'>
  downloads!: EntityTable<DownloadRow, 'courseId'>
  searchIndex!: EntityTable<SearchIndexRow, 'key'>
  rosterMembers!: EntityTable<RosterRow, 'id'>
  meetings!: EntityTable<MeetingRow, 'id'>
  attendanceMarks!: EntityTable<LocalMarkRow, 'localSeq'>
  meetingStates!: EntityTable<MeetingStateRow, 'meetingId'>
  checkins!: EntityTable<LocalCheckinRow, 'id'>
  homeVisits!: EntityTable<HomeVisitRow, 'id'>
  questions!: EntityTable<Question, 'id'>
  quizzes!: EntityTable<Quiz, 'id'>
  quizAttempts!: EntityTable<QuizAttemptRow, 'id'>
  wrongAnswers!: EntityTable<WrongAnswerRow, 'questionId'>
  flowingRecords!: EntityTable<FlowingRecordRow, 'id'>
  practiceCards!: EntityTable<PracticeCardRow, 'questionId'>
  practiceDays!: EntityTable<PracticeDayRow, 'day'>
  studyPoints!: EntityTable<StudyPoint, 'id'>
  /** Primary key [feed, id]: one reflection may be in its group's feed and the branch's excellent list. */
  reflections!: Table<ReflectionRow, [ReflectionRow['feed'], string]>
  reflectionPhotos!: EntityTable<ReflectionPhotosRow, 'reflectionId'>
  archives!: Table<ArchiveRow, [string, number]>
  videoDownloads!: EntityTable<VideoDownloadRow, 'url'>
  videoChunks!: Table<VideoChunkRow, [string, number]>
  videoPositions!: EntityTable<VideoPositionRow, 'lessonId'>
  /** The member's exams as last read from the server: papers without answers until closed. */
  examPapers!: EntityTable<MyExam, 'id'>
  examAttempts!: EntityTable<ExamAttemptRow, 'id'>
  /** The surveys addressed to the member, as last read from the server. */
  surveys!: EntityTable<MySurvey, 'id'>
  surveyAnswers!: EntityTable<SurveyAnswerRow, 'surveyId'>
  evaluations!: EntityTable<EvaluationRow, 'key'>
  caseRequests!: EntityTable<CaseRequestRow, 'id'>

  constructor(name = DB_NAME) {
    super(name)
    this.version(1).stores(SCHEMA_V1)
    // Content cache (pulled), the member's own progress, favourites and offline downloads.
    this.version(2).stores({
      courses: 'id, category',
      lessons: 'id, courseId',
      pocketCategories: 'id',
      pocketEntries: 'id, category',
      assignments: 'id, courseId',
      progress: 'lessonId, courseId, lastOpenedAt',
      bookmarks: 'key, kind, createdAt',
      downloads: 'courseId',
      searchIndex: 'key',
    })
    // Meetings and attendance: the leader's cached roster, meetings, marks made here (the outbox
    // carries them), the server's per-meeting answer, and the member's own check-ins.
    this.version(3).stores({
      rosterMembers: 'id, orgUnitId',
      meetings: 'id, orgUnitId, startsAt',
      attendanceMarks: '++localSeq, meetingId',
      meetingStates: 'meetingId',
      checkins: 'id, createdAt',
      homeVisits: 'id, orgUnitId, visitedAt',
    })
    // Quizzes: pulled quizzes and questions (answers included: scored offline), attempts, 错题本.
    this.version(4).stores({
      questions: 'id, bankId',
      quizzes: 'id',
      quizAttempts: 'id, quizId, state',
      wrongAnswers: 'questionId, addedAt',
    })
    // Flowing members' record cards 一卡 (version 4 is the quizzes').
    this.version(5).stores({
      flowingRecords: 'id, personId, status',
    })
    // Daily practice 每日一练: Leitner cards and one row per day practised (kept on the phone).
    this.version(6).stores({
      practiceCards: 'questionId, dueDay',
      practiceDays: 'day',
    })
    // Study points 学习圈: the area the member last looked at, for the list and map offline.
    this.version(10).stores({
      studyPoints: 'id, type',
    })
    // Study reflections 晒心得: cached feed pages (one row per feed and reflection) and their photos.
    this.version(9).stores({
      reflections: '[feed+id], [feed+sortKey], id',
      reflectionPhotos: 'reflectionId',
    })
    // The member's own training archive, one row per year opened online (7, 8 and 11 are unused).
    this.version(12).stores({
      archives: '[personId+year]',
    })
    // Exams 考核: the member's papers (as read online) and their attempts, sealed when submitted.
    this.version(13).stores({
      examPapers: 'id',
      examAttempts: 'id, examId',
    })
    // Lesson videos downloaded in chunks (the service worker reads videoChunks by [url+index]
    // for offline playback: src/sw/videoChunks.ts) and where the member stopped each video.
    this.version(15).stores({
      videoDownloads: 'url, lessonId',
      videoChunks: '[url+index]',
      videoPositions: 'lessonId',
    })
    // Training-needs surveys 需求调研: those addressed to the member and their answers here.
    this.version(16).stores({
      surveys: 'id',
      surveyAnswers: 'surveyId',
    })
    // The member's own ratings of courses and meetings (教学评估), shown as "已评价" offline.
    this.version(17).stores({
      evaluations: 'key',
    })
    // Proposals to use the member's reflections as cases (好的进教材), answered offline.
    this.version(21).stores({
      caseRequests: 'id',
    })
  }
}

/**
 * Tables holding one person's own data (their progress, answers, caches of what their roles let
 * them see). They are emptied when a different person signs in on this phone
 * (src/features/auth/personalData.ts). The outbox and dead letters are not here: they are kept
 * and carry the person's id. Add every new per-person table to this list.
 */
export const PERSONAL_TABLES = [
  'progress',
  'bookmarks',
  'rosterMembers',
  'meetings',
  'attendanceMarks',
  'meetingStates',
  'checkins',
  'homeVisits',
  'quizAttempts',
  'examPapers',
  'examAttempts',
  'surveys',
  'surveyAnswers',
  'wrongAnswers',
  'flowingRecords',
  'practiceCards',
  'practiceDays',
  'reflections',
  'reflectionPhotos',
  'archives',
  'videoPositions',
  'evaluations',
  'caseRequests',
] as const satisfies readonly (keyof PocketDb)[]

/** Per-person values in `meta` (the same rule as PERSONAL_TABLES). */
export const PERSONAL_META_KEYS = ['attendance.mine', 'attendance.overview', 'studyPoints.origin'] as const

export const db = new PocketDb()
