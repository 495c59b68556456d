/**
 * Exams 考核 (issue 17): an exam-only quiz given to a unit with a window, attempts, a time limit
 * and a paper drawn per person. The phone gets its paper without answers or explanations until
 * the window closes (docs/quiz.md "Exams"). Shared by the server (TypeBox) and the PWA (types).
 */
import { Type, type Static } from 'typebox'
import { QuestionType, QuizAnswer } from './quiz.ts'
import { RECORD_TIME_MAX } from './sync.ts'

/** Times are stored in bigint columns: bounded so no value can overflow them. */
const Time = () => Type.Integer({ minimum: 0, maximum: RECORD_TIME_MAX })

export const EXAM_MAX_ATTEMPTS = 10
export const EXAM_MAX_MINUTES = 300
export const EXAM_MAX_QUESTIONS = 200
/**
 * The server's time limit (docs/quiz.md "Time limit"): an attempt counts when its server-bounded
 * seal time is at most start + limit + EXAM_SEAL_GRACE_MS (clock offset and the start request's
 * round trip), and it reaches the server at most EXAM_SYNC_GRACE_MS after start + limit.
 */
export const EXAM_SEAL_GRACE_MS = 2 * 60_000
export const EXAM_SYNC_GRACE_MS = 24 * 3_600_000

export const ExamCreate = Type.Object(
  {
    orgUnitId: Type.String({ minLength: 1, maxLength: 64 }),
    /** An exam-only quiz (from a bank marked `exam: true`). */
    quizId: Type.String({ minLength: 1, maxLength: 64 }),
    opensAt: Time(),
    closesAt: Time(),
    attemptsAllowed: Type.Optional(Type.Integer({ minimum: 1, maximum: EXAM_MAX_ATTEMPTS, default: 1 })),
    timeLimitMinutes: Type.Integer({ minimum: 1, maximum: EXAM_MAX_MINUTES }),
    questionCount: Type.Integer({ minimum: 1, maximum: EXAM_MAX_QUESTIONS }),
  },
  { additionalProperties: false },
)
export type ExamCreate = Static<typeof ExamCreate>

/** One question of a person's paper, options in that person's order. */
export const ExamPaperQuestion = Type.Object({
  id: Type.String(),
  type: QuestionType,
  stem: Type.String(),
  /** Options as shown to this person… */
  options: Type.Array(Type.String()),
  /** …and the original letter of each, which the attempt sends (scored by original letters). */
  letters: Type.Array(Type.String()),
  /** Only once the window has closed: the right answer (original letters) and why. */
  answer: Type.Optional(Type.Array(Type.String())),
  explanation: Type.Optional(Type.String()),
})
export type ExamPaperQuestion = Static<typeof ExamPaperQuestion>

export const ExamResult = Type.Object({
  attemptNo: Type.Integer(),
  score: Type.Integer(),
  passed: Type.Boolean(),
  at: Type.Integer(),
})
export type ExamResult = Static<typeof ExamResult>

/** An exam as its member sees it (`GET /exams/mine`). */
export const MyExam = Type.Object({
  id: Type.String(),
  title: Type.String(),
  opensAt: Type.Integer(),
  closesAt: Type.Integer(),
  attemptsAllowed: Type.Integer(),
  timeLimitMinutes: Type.Integer(),
  passMark: Type.Integer(),
  /** The server's judgement at the time of the answer. */
  closed: Type.Boolean(),
  /** The person's paper; null before they start an attempt (server clock) and before the window opens. */
  paper: Type.Union([Type.Array(ExamPaperQuestion), Type.Null()]),
  results: Type.Array(ExamResult),
})
export type MyExam = Static<typeof MyExam>

/** `POST /exams/:id/start`: the member starts an attempt online; the server's clock starts now. */
export const ExamStartBody = Type.Object({ attemptNo: Type.Integer({ minimum: 1, maximum: EXAM_MAX_ATTEMPTS }) }, { additionalProperties: false })
export type ExamStartBody = Static<typeof ExamStartBody>
export const ExamStarted = Type.Object({
  exam: MyExam,
  /** Server time when this attempt's paper was first handed out (a repeated start keeps it). */
  startedAt: Type.Integer(),
  serverNow: Type.Integer(),
})
export type ExamStarted = Static<typeof ExamStarted>

export const MyExams = Type.Object({ items: Type.Array(MyExam), serverNow: Type.Integer() })
export type MyExams = Static<typeof MyExams>

/** An exam on the leaders' screen, with its figures for the unit's subtree. */
export const ExamSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  orgUnitId: Type.String(),
  opensAt: Type.Integer(),
  closesAt: Type.Integer(),
  attemptsAllowed: Type.Integer(),
  timeLimitMinutes: Type.Integer(),
  questionCount: Type.Integer(),
  passMark: Type.Integer(),
})
export type ExamSummary = Static<typeof ExamSummary>

export const ExamUnitFigure = Type.Object({
  orgUnitId: Type.String(),
  orgUnitName: Type.String(),
  members: Type.Integer(),
  taken: Type.Integer(),
  passed: Type.Integer(),
  /** Percent of those who took it; null when nobody did. */
  passRate: Type.Union([Type.Integer(), Type.Null()]),
})

export const ExamRetake = Type.Object({
  personId: Type.String(),
  name: Type.String(),
  orgUnitName: Type.String(),
  score: Type.Integer(),
  isCommittee: Type.Boolean(),
})
export type ExamRetake = Static<typeof ExamRetake>

export const ExamResults = Type.Object({
  exam: ExamSummary,
  units: Type.Array(ExamUnitFigure),
  /** Whose latest attempt failed: they must retake (复训), committee members marked (调训). */
  retake: Type.Array(ExamRetake),
  next: Type.Union([Type.String(), Type.Null()]),
})
export type ExamResults = Static<typeof ExamResults>

export const ExamAttemptPayload = Type.Object(
  {
    /** Made on the phone: one attempt is stored once, whatever record carries it. */
    attemptId: Type.String({ minLength: 1, maxLength: 64 }),
    examId: Type.String({ minLength: 1, maxLength: 64 }),
    /** 1 for the first attempt; at most the exam's `attemptsAllowed`. */
    attemptNo: Type.Integer({ minimum: 1, maximum: EXAM_MAX_ATTEMPTS }),
    answers: Type.Array(QuizAnswer, { minItems: 1, maxItems: EXAM_MAX_QUESTIONS }),
    startedAt: Time(),
  },
  { additionalProperties: false },
)
export type ExamAttemptPayload = Static<typeof ExamAttemptPayload>
