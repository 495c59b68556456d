/**
 * Exams 考核 (migration 031): creating one, a member's exams with their papers, and the leaders'
 * figures. A member's paper never carries answers or explanations before the window closes; the
 * window is judged by the server's clock here, and by the push's server-bounded `at` for attempts.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { ExamCreate, ExamPaperQuestion, ExamResults, ExamSummary, MyExam } from '../../../src/protocol/exam.ts'
import type { Scorable } from '../../../src/protocol/quiz.scoring.ts'
import type { Database, ExamTable } from '../../db/database.ts'
import { ApiError } from '../../shared/errors.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { decodeCursor, encodeCursor } from '../org/org.repository.ts'
import { visibleOrgUnits } from '../sync/pull.repository.ts'
import { paperFor, type PaperItem } from './exam.paper.ts'

export type ExamRow = Selectable<ExamTable>

/** A member sees exams whose window closed at most this long ago (results, answers). */
export const EXAM_SHOWN_AFTER_CLOSE_MS = 90 * 86_400_000
const MY_EXAMS_LIMIT = 20

const invalid = (message: string, field: string) => new ApiError(400, 'VALIDATION', message, field)

/** The questions the exam's quiz version could ask, with their answers then (quiz_snapshot). */
export async function examCandidates(db: Kysely<Database>, exams: Pick<ExamRow, 'quiz_id' | 'quiz_version'>[]): Promise<Map<string, Scorable[]>> {
  if (exams.length === 0) return new Map()
  const rows = await db
    .selectFrom('quiz_snapshot')
    .select(['quiz_id', 'version', 'questions'])
    .where((eb) => eb.or(exams.map((e) => eb.and([eb('quiz_id', '=', e.quiz_id), eb('version', '=', e.quiz_version)]))))
    .execute()
  return new Map(rows.map((r) => [`${r.quiz_id}@${Number(r.version)}`, JSON.parse(r.questions) as Scorable[]]))
}

export const candidatesKey = (e: Pick<ExamRow, 'quiz_id' | 'quiz_version'>) => `${e.quiz_id}@${Number(e.quiz_version)}`

export function examPaper(exam: ExamRow, personId: string, candidates: Map<string, Scorable[]>): PaperItem[] {
  return paperFor(exam.seed, personId, candidates.get(candidatesKey(exam)) ?? [], exam.question_count)
}

export function summaryOf(e: ExamRow): ExamSummary {
  return {
    id: e.id,
    title: e.title,
    orgUnitId: e.org_unit_id,
    opensAt: Number(e.opens_at),
    closesAt: Number(e.closes_at),
    attemptsAllowed: e.attempts_allowed,
    timeLimitMinutes: e.time_limit_minutes,
    questionCount: e.question_count,
    passMark: e.pass_mark,
  }
}

/** Gives an exam-only quiz to a unit; the caller has authorised the unit. */
export async function createExam(db: Kysely<Database>, unitPath: string, createdBy: string, body: ExamCreate, now: number): Promise<ExamRow> {
  if (body.closesAt <= body.opensAt) throw invalid('body.closesAt must be after body.opensAt', 'body.closesAt')
  if (body.closesAt <= now) throw invalid('body.closesAt must be in the future', 'body.closesAt')
  const quiz = await db
    .selectFrom('quiz')
    .select(['id', 'title', 'version', 'org_unit_id', 'pass_mark', 'exam_only'])
    .where('id', '=', body.quizId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  // The quiz must be visible to the unit's members: scoped to the unit or one above it.
  if (!quiz || !unitPath.split('/').includes(quiz.org_unit_id)) throw invalid(`body.quizId: no quiz "${body.quizId}" for this unit`, 'body.quizId')
  if (quiz.exam_only !== 1) {
    throw new ApiError(409, 'NOT_EXAM_QUIZ', 'This quiz is for practice: its answers are already on members’ phones. Choose a quiz from an exam bank.', 'body.quizId')
  }
  const exam: ExamRow = {
    id: randomUUID(),
    org_unit_id: body.orgUnitId,
    quiz_id: quiz.id,
    quiz_version: Number(quiz.version),
    title: quiz.title,
    opens_at: body.opensAt,
    closes_at: body.closesAt,
    attempts_allowed: body.attemptsAllowed ?? 1,
    time_limit_minutes: body.timeLimitMinutes,
    question_count: body.questionCount,
    pass_mark: quiz.pass_mark,
    seed: randomBytes(16).toString('hex'),
    created_by: createdBy,
    created_at: now,
  }
  const available = (await examCandidates(db, [exam])).get(candidatesKey(exam))?.length ?? 0
  if (body.questionCount > available) throw invalid(`body.questionCount: the quiz has ${available} questions`, 'body.questionCount')
  await db.insertInto('exam').values(exam).execute()
  return exam
}

export async function findExam(db: Kysely<Database>, id: string): Promise<(ExamRow & { unit_path: string }) | undefined> {
  return db
    .selectFrom('exam')
    .innerJoin('org_unit', 'org_unit.id', 'exam.org_unit_id')
    .selectAll('exam')
    .select('org_unit.path as unit_path')
    .where('exam.id', '=', id)
    .executeTakeFirst()
}

/** A unit's exams (set on it or below), newest window first, one page. */
export async function examsInSubtree(db: Kysely<Database>, path: string, limit: number, before?: [string, string]) {
  let q = db
    .selectFrom('exam')
    .innerJoin('org_unit', 'org_unit.id', 'exam.org_unit_id')
    .selectAll('exam')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .orderBy('exam.closes_at', 'desc')
    .orderBy('exam.id', 'desc')
    .limit(limit + 1)
  if (before) {
    const [closes, id] = [Number(before[0]), before[1]]
    q = q.where((eb) => eb.or([eb('exam.closes_at', '<', closes), eb.and([eb('exam.closes_at', '=', closes), eb('exam.id', '<', id)])]))
  }
  const rows = await q.execute()
  const items = rows.slice(0, limit).map(summaryOf)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor(String(last.closesAt), last.id) : null }
}

/**
 * The member's exams (their unit and the units above it), with their paper once open and, only
 * after the window closed, the answers and explanations.
 */
export async function myExams(db: Kysely<Database>, personId: string, now: number, only?: string): Promise<MyExam[]> {
  const units = await visibleOrgUnits(db, personId)
  if (units.length === 0) return []
  let q = db
    .selectFrom('exam')
    .selectAll()
    .where('org_unit_id', 'in', units)
    .where('closes_at', '>', now - EXAM_SHOWN_AFTER_CLOSE_MS)
    .orderBy('closes_at', 'desc')
    .limit(MY_EXAMS_LIMIT)
  if (only !== undefined) q = q.where('id', '=', only)
  const exams = await q.execute()
  if (exams.length === 0) return []
  const candidates = await examCandidates(db, exams)
  const closedIds = new Set(exams.filter((e) => Number(e.closes_at) <= now).map((e) => e.id))
  // The paper goes out only once the person started an attempt (the server's clock then runs,
  // docs/quiz.md "Time limit"), or for review after the window closed.
  const started = new Set(
    (await db.selectFrom('exam_start').select('exam_id').where('person_id', '=', personId).where('exam_id', 'in', exams.map((e) => e.id)).execute()).map((r) => r.exam_id),
  )
  const papers = new Map(exams.map((e) => [e.id, Number(e.opens_at) <= now && (started.has(e.id) || closedIds.has(e.id)) ? examPaper(e, personId, candidates) : null]))
  const questionIds = [...new Set([...papers.values()].flatMap((p) => (p ?? []).map((q) => q.id)))]
  const questions = questionIds.length
    ? new Map((await db.selectFrom('question').select(['id', 'type', 'stem', 'options', 'explanation']).where('id', 'in', questionIds).execute()).map((q) => [q.id, q]))
    : new Map()
  const attempts = await db
    .selectFrom('exam_attempt')
    .select(['exam_id', 'attempt_no', 'score', 'passed', 'created_at'])
    .where('person_id', '=', personId)
    .where('exam_id', 'in', exams.map((e) => e.id))
    .orderBy('attempt_no')
    .execute()
  return exams.map((e) => {
    const closed = closedIds.has(e.id)
    const answers = new Map((candidates.get(candidatesKey(e)) ?? []).map((q) => [q.id, q.answer]))
    const paper = papers.get(e.id)
    return {
      id: e.id,
      title: e.title,
      opensAt: Number(e.opens_at),
      closesAt: Number(e.closes_at),
      attemptsAllowed: e.attempts_allowed,
      timeLimitMinutes: e.time_limit_minutes,
      passMark: e.pass_mark,
      closed,
      paper: paper
        ? paper.map((item): ExamPaperQuestion => {
            const q = questions.get(item.id)!
            const options = JSON.parse(q.options) as string[]
            const shown: ExamPaperQuestion = {
              id: item.id,
              type: q.type,
              stem: q.stem,
              options: item.letters.map((l) => options[l.charCodeAt(0) - 65]!),
              letters: item.letters,
            }
            // The only place an exam's answers leave the server: after its window closed.
            return closed ? { ...shown, answer: answers.get(item.id) ?? [], explanation: q.explanation } : shown
          })
        : null,
      results: attempts
        .filter((a) => a.exam_id === e.id)
        .map((a) => ({ attemptNo: a.attempt_no, score: a.score, passed: a.passed === 1, at: Number(a.created_at) })),
    }
  })
}

const refused = (code: string, message: string) => new ApiError(409, code, message, 'body.attemptNo')

/**
 * Starts an attempt: from this moment (server clock) the person holds the paper and the time
 * limit runs. A repeated start of the same attempt (a lost answer, a reinstalled phone) keeps the
 * first moment, so asking again never resets the clock. Returns that moment.
 */
export async function startExam(db: Kysely<Database>, personId: string, examId: string, attemptNo: number, now: number): Promise<number> {
  const units = await visibleOrgUnits(db, personId)
  const exam = await db.selectFrom('exam').selectAll().where('id', '=', examId).executeTakeFirst()
  if (!exam || !units.includes(exam.org_unit_id)) throw new ApiError(404, 'NOT_FOUND', 'Exam not found')
  if (now < Number(exam.opens_at)) throw refused('EXAM_NOT_OPEN', 'The exam has not opened yet.')
  if (now > Number(exam.closes_at)) throw refused('EXAM_CLOSED', 'The exam has closed.')
  if (attemptNo > exam.attempts_allowed) throw refused('EXAM_ATTEMPTS', `This exam allows ${exam.attempts_allowed} attempt(s).`)
  const submitted = await db.selectFrom('exam_attempt').select('id').where('exam_id', '=', examId).where('person_id', '=', personId).where('attempt_no', '=', attemptNo).executeTakeFirst()
  if (submitted) throw refused('EXAM_ATTEMPTS', `Attempt ${attemptNo} was already submitted.`)
  await db
    .insertInto('exam_start')
    .values({ exam_id: examId, person_id: personId, attempt_no: attemptNo, started_at: now })
    .onConflict((oc) => oc.columns(['exam_id', 'person_id', 'attempt_no']).doNothing())
    .execute()
  const row = await db.selectFrom('exam_start').select('started_at').where('exam_id', '=', examId).where('person_id', '=', personId).where('attempt_no', '=', attemptNo).executeTakeFirstOrThrow()
  return Number(row.started_at)
}

/**
 * Figures for a leader: per unit of the exam's subtree, members, who took it and who passed
 * (latest attempt); and one page of those whose latest attempt failed, who must retake 复训.
 */
export async function examResults(db: Kysely<Database>, exam: ExamRow & { unit_path: string }, limit: number, after?: [string, string]): Promise<ExamResults> {
  const latest = db
    .selectFrom('exam_attempt as a')
    .select(['a.person_id', 'a.score', 'a.passed'])
    .where('a.exam_id', '=', exam.id)
    .where((eb) =>
      eb('a.attempt_no', '=', eb.selectFrom('exam_attempt as b').select((b) => b.fn.max('b.attempt_no').as('m')).where('b.exam_id', '=', exam.id).whereRef('b.person_id', '=', 'a.person_id')),
    )
  const members = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .leftJoin(latest.as('l'), 'l.person_id', 'person.id')
    .where('person.status', '=', 'active')
    .where('org_unit.path', '>=', exam.unit_path)
    .where('org_unit.path', '<', subtreeEnd(exam.unit_path))
  const units = await members
    .select((eb) => [
      'org_unit.id as unit_id',
      'org_unit.name as unit_name',
      eb.fn.countAll<number>().as('members'),
      eb.fn.count<number>('l.person_id').as('taken'),
      sql<number>`sum(case when l.passed = 1 then 1 else 0 end)`.as('passed'),
    ])
    .groupBy(['org_unit.id', 'org_unit.name'])
    .orderBy('org_unit.name')
    .limit(500)
    .execute()
  let page = members
    .select(['person.id', 'person.name', 'person.is_committee', 'org_unit.name as unit_name', 'l.score'])
    .where('l.passed', '=', 0)
    .orderBy('person.name')
    .orderBy('person.id')
    .limit(limit + 1)
  if (after) {
    const [name, id] = after
    page = page.where((eb) => eb.or([eb('person.name', '>', name), eb.and([eb('person.name', '=', name), eb('person.id', '>', id)])]))
  }
  const rows = await page.execute()
  const retake = rows.slice(0, limit).map((r) => ({ personId: r.id, name: r.name, orgUnitName: r.unit_name, score: Number(r.score), isCommittee: Number(r.is_committee) === 1 }))
  const last = retake.at(-1)
  return {
    exam: summaryOf(exam),
    units: units.map((u) => {
      const taken = Number(u.taken)
      const passed = Number(u.passed ?? 0)
      return { orgUnitId: u.unit_id, orgUnitName: u.unit_name, members: Number(u.members), taken, passed, passRate: taken ? Math.round((100 * passed) / taken) : null }
    }),
    retake,
    next: rows.length > limit && last ? encodeCursor(last.name, last.personId) : null,
  }
}

export { decodeCursor }
