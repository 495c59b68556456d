/**
 * `exam_attempt`: a member's sealed exam attempt, usually made offline (docs/quiz.md "Exams").
 * Judged by the server: the window by the record's server-bounded `at` (never the phone's word
 * alone), the attempt number against the exam's allowance, and every answer against the paper
 * this person was given (derived from the exam's secret seed). Scored here; the phone never
 * had the answers. One attempt per (exam, person, attempt number): another attempt id for a
 * number already used is refused; the same attempt id again stores nothing new.
 * The time limit runs from when the server handed out the paper for this attempt (`exam_start`),
 * never from the phone's `startedAt` (docs/quiz.md "Time limit").
 * The score also goes into `quiz_attempt`, so retraining 复训 follows the quiz rule.
 */
import { EXAM_SEAL_GRACE_MS, EXAM_SYNC_GRACE_MS, ExamAttemptPayload } from '../../../../src/protocol/exam.ts'
import { answerShapeError, scoreQuiz, type QuizScore, type Scorable } from '../../../../src/protocol/quiz.scoring.ts'
import { examCandidates, examPaper, type ExamRow } from '../../exam/exam.repository.ts'
import { visibleOrgUnits } from '../pull.repository.ts'
import { defineKind, type KindContext, type Refusal } from './kind.ts'

interface Decided {
  score: QuizScore
  exam: ExamRow
}
/** Scores decided in authorize, by record id, for apply in the same batch. */
const decided = new WeakMap<KindContext, Map<string, Decided>>()

const invalid = (message: string, field: string): Refusal => ({ code: 'INVALID_PAYLOAD', message, field })
const paper = (message: string, field: string): Refusal => ({ code: 'EXAM_PAPER', message, field })

/**
 * The server's time limit. `at` (server-bounded seal time) may pass the limit by the small
 * EXAM_SEAL_GRACE_MS (offset error, the start request's round trip); the record must reach the
 * server within EXAM_SYNC_GRACE_MS after the limit, which bounds what a phone clock turned back
 * after the start could gain; a seal time before the start means such a clock.
 */
export function timeLimitRefusal(startedAt: number | undefined, minutes: number, at: number, receivedAt: number): Refusal | null {
  const field = 'payload.attemptNo'
  if (startedAt === undefined) return { code: 'EXAM_PAPER', message: 'This attempt was never started online, so no paper was handed out for it.', field }
  const deadline = startedAt + minutes * 60_000
  if (at > deadline + EXAM_SEAL_GRACE_MS) return { code: 'EXAM_TIME', message: `Submitted after the ${minutes}-minute time limit.`, field }
  if (at < startedAt - EXAM_SEAL_GRACE_MS) return { code: 'EXAM_TIME', message: 'The phone’s clock says the attempt was sealed before it was started.', field }
  if (receivedAt > deadline + EXAM_SYNC_GRACE_MS) return { code: 'EXAM_TIME', message: 'The attempt reached the server more than a day after its time limit.', field }
  return null
}

export const examAttempt = defineKind({
  kind: 'exam_attempt',
  payload: ExamAttemptPayload,
  async authorize(ctx, records) {
    const out = new Map<string, Decided>()
    decided.set(ctx, out)
    const personId = ctx.auth.personId
    const visible = new Set(await visibleOrgUnits(ctx.trx, personId))
    const examIds = [...new Set(records.map((r) => r.payload.examId))]
    const exams = new Map((await ctx.trx.selectFrom('exam').selectAll().where('id', 'in', examIds).execute()).map((e) => [e.id, e]))
    const candidates = await examCandidates(ctx.trx, [...exams.values()])
    // Attempt numbers already taken by this person, with the attempt id that took each.
    const taken = new Map(
      (await ctx.trx.selectFrom('exam_attempt').select(['id', 'exam_id', 'attempt_no']).where('person_id', '=', personId).where('exam_id', 'in', examIds).execute()).map(
        (a) => [`${a.exam_id}#${a.attempt_no}`, a.id],
      ),
    )

    // When the server handed out each attempt's paper: the time limit runs from there.
    const starts = new Map(
      (await ctx.trx.selectFrom('exam_start').select(['exam_id', 'attempt_no', 'started_at']).where('person_id', '=', personId).where('exam_id', 'in', examIds).execute()).map(
        (s) => [`${s.exam_id}#${s.attempt_no}`, Number(s.started_at)],
      ),
    )

    return records.map((r): Refusal | null => {
      const p = r.payload
      const exam = exams.get(p.examId)
      if (!exam) return invalid(`Exam "${p.examId}" does not exist.`, 'payload.examId')
      if (!visible.has(exam.org_unit_id)) return { code: 'FORBIDDEN', message: 'This exam is not set for you.', field: 'payload.examId' }
      if (r.at < Number(exam.opens_at)) return { code: 'EXAM_NOT_OPEN', message: 'The exam had not opened yet.', field: 'payload.examId' }
      if (r.at > Number(exam.closes_at)) return { code: 'EXAM_CLOSED', message: 'Submitted after the exam closed.', field: 'payload.examId' }
      if (p.attemptNo > exam.attempts_allowed) {
        return { code: 'EXAM_ATTEMPTS', message: `This exam allows ${exam.attempts_allowed} attempt(s).`, field: 'payload.attemptNo' }
      }
      const slot = `${exam.id}#${p.attemptNo}`
      const holder = taken.get(slot)
      if (holder !== undefined && holder !== p.attemptId) {
        return { code: 'EXAM_ATTEMPTS', message: `Attempt ${p.attemptNo} was already submitted.`, field: 'payload.attemptNo' }
      }
      const timeRefusal = timeLimitRefusal(starts.get(slot), exam.time_limit_minutes, r.at, ctx.receivedAt)
      if (timeRefusal) return timeRefusal
      const given = examPaper(exam, personId, candidates)
      const byId = new Map((candidates.get(`${exam.quiz_id}@${Number(exam.quiz_version)}`) ?? []).map((q) => [q.id, q]))
      const onPaper = new Set(given.map((q) => q.id))
      const ids = p.answers.map((a) => a.questionId)
      if (new Set(ids).size !== ids.length) return invalid('A question is answered twice.', 'payload.answers')
      const asked: Scorable[] = []
      for (const [i, a] of p.answers.entries()) {
        if (!onPaper.has(a.questionId)) return paper(`Question "${a.questionId}" is not on your paper.`, `payload.answers.${i}.questionId`)
        const q = byId.get(a.questionId)!
        const problem = answerShapeError(q, a.answer)
        if (problem) return invalid(`The answer to "${a.questionId}" must be ${problem}.`, `payload.answers.${i}.answer`)
        asked.push(q)
      }
      if (asked.length !== given.length) return paper(`Your paper has ${given.length} questions, the attempt answers ${asked.length}.`, 'payload.answers')
      taken.set(slot, p.attemptId)
      out.set(r.id, { exam, score: scoreQuiz(asked, new Map(p.answers.map((a) => [a.questionId, a.answer])), exam.pass_mark) })
      return null
    })
  },
  async apply(ctx, records) {
    const mine = decided.get(ctx)!
    for (const r of records) {
      const { exam, score } = mine.get(r.id)!
      const common = {
        person_id: r.personId,
        answers: JSON.stringify(r.payload.answers),
        correct: score.correct,
        total: score.total,
        score: score.score,
        passed: score.passed ? 1 : 0,
        started_at: r.payload.startedAt,
        device: r.deviceId,
        created_at: r.at,
        received_at: ctx.receivedAt,
      }
      const stored = await ctx.trx
        .insertInto('exam_attempt')
        .values({ ...common, id: r.payload.attemptId, exam_id: exam.id, attempt_no: r.payload.attemptNo })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst()
      // The same attempt resent under a new record id: already stored and scored once.
      if (!stored) continue
      await ctx.trx
        .insertInto('quiz_attempt')
        .values({ ...common, id: `exam:${r.payload.attemptId}`, quiz_id: exam.quiz_id, quiz_version: exam.quiz_version, client_score: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    }
  },
})
