/**
 * Exams 考核 on the server: a secretary gives an exam-bank quiz to a unit; no response a member
 * can get carries the exam's answers, explanations or seed before the window closes; attempts are
 * judged by window, attempt count and paper, scored on the server, and a fail starts retraining.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContentError, parseContent } from '../../../server/features/content/content.parse.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { MyExam } from '../../../src/protocol/exam.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { loadOperations } from '../security/openapi.ts'

const QUIZ = 'quiz-exam-constitution-discipline'
const [MEMBER, FLOWING, LEADER, SECRETARY] = DEMO_LOGINS.map((l) => l.phone)
const HOUR = 3_600_000
const YEAR = new Date(Date.now() + 8 * HOUR).getUTCFullYear()

describe('exam banks in the content', () => {
  it('marks an exam bank and its quiz exam-only, and refuses a quiz mixing exam and practice questions', () => {
    const c = parseContent(CONTENT_DIR)
    expect(c.quizzes.filter((q) => q.exam_only === 1).map((q) => q.id)).toEqual([QUIZ])
    expect(c.questions.filter((q) => q.exam_only === 1)).toHaveLength(8)

    const dir = mkdtempSync(join(tmpdir(), 'pps-exam-'))
    try {
      cpSync(CONTENT_DIR, dir, { recursive: true })
      const file = join(dir, 'quizzes/quiz-constitution-basics.yaml')
      writeFileSync(file, readFileSync(file, 'utf8').replace('q-constitution-basics-001,', 'q-exam-cd-001,'))
      expect(() => parseContent(dir)).toThrow(ContentError)
      expect(() => parseContent(dir)).toThrow(/either only exam-bank questions or none/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.each(DIALECTS)('exams on %s', (dialect) => {
  let ctx: TestContext
  let member: { authorization: string }
  let secretary: { authorization: string }
  let branchId: string
  let memberId: string
  let bank: { id: string; answer: string; explanation: string }[]

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    ;[member, secretary] = await Promise.all([signIn(ctx.app, MEMBER), signIn(ctx.app, SECRETARY)])
    branchId = ctx.seed.roles.find((r) => r.person_id === ctx.seed.people.find((p) => p.phone === SECRETARY)!.id && r.role === 'secretary')!.org_unit_id
    memberId = ctx.seed.people.find((p) => p.phone === MEMBER)!.id
    bank = await ctx.testDb.db.selectFrom('question').select(['id', 'answer', 'explanation']).where('exam_only', '=', 1).execute()
  })
  afterAll(() => ctx.close())

  const create = (body: Record<string, unknown>, headers = secretary) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/exams', headers, payload: { orgUnitId: branchId, quizId: QUIZ, opensAt: Date.now() - HOUR, closesAt: Date.now() + HOUR, timeLimitMinutes: 20, questionCount: 5, ...body } })
  const mine = async (headers = member): Promise<MyExam[]> => (await ctx.app.inject({ method: 'GET', url: '/api/v1/exams/mine', headers })).json().items
  const start = (examId: string, attemptNo = 1, headers = member) => ctx.app.inject({ method: 'POST', url: `/api/v1/exams/${examId}/start`, headers, payload: { attemptNo } })
  /** Starts attempt 1 online and returns the exam with the paper the server handed out. */
  const started = async (examId: string, headers = member): Promise<MyExam> => (await start(examId, 1, headers)).json().exam
  const push = (records: unknown[], headers = member) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'd1', outboxCount: records.length, records } })
  const bankAnswer = (id: string) => JSON.parse(bank.find((q) => q.id === id)!.answer) as string[]
  /** What a member would send: a fill question takes one text (the first accepted one). */
  const rightAnswer = (id: string) => (id === 'q-exam-cd-006' ? bankAnswer(id).slice(0, 1) : bankAnswer(id))
  function attempt(exam: MyExam, over: Record<string, unknown> = {}, right = true, createdAt = Date.now()) {
    const answers = exam.paper!.map((q) => ({ questionId: q.id, answer: right ? rightAnswer(q.id) : [] }))
    return { id: uuidv7(), kind: 'exam_attempt', createdAt, deviceId: 'd1', payload: { attemptId: uuidv7(), examId: exam.id, attemptNo: 1, answers, startedAt: createdAt - 60_000, ...over } }
  }
  const closeExam = (id: string) => ctx.testDb.db.updateTable('exam').set({ opens_at: Date.now() - 3 * HOUR, closes_at: Date.now() - HOUR }).where('id', '=', id).execute()

  it('lets a secretary give an exam-bank quiz, and refuses a member, a practice quiz and a bad window', async () => {
    const res = await create({})
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ title: '党章党纪年度考核', attemptsAllowed: 1, questionCount: 5, passMark: 60 })
    expect((await create({}, member)).statusCode).toBe(403)
    const practice = await create({ quizId: 'quiz-constitution-basics' })
    expect(practice.json()).toMatchObject({ code: 'NOT_EXAM_QUIZ', field: 'body.quizId' })
    expect((await create({ closesAt: Date.now() - 2 * HOUR })).json()).toMatchObject({ field: 'body.closesAt' })
    expect((await create({ questionCount: 9 })).json()).toMatchObject({ field: 'body.questionCount' })
  })

  it('gives each member a paper of their own once they start, the same on every request, without answers', async () => {
    const [listed] = await mine()
    // Before the member starts, the paper stays on the server: the time limit has not begun.
    expect(listed!.paper).toBeNull()
    const exam = await started(listed!.id)
    expect(exam!.paper).toHaveLength(5)
    expect(await mine()).toEqual([exam])
    for (const q of exam!.paper!) {
      expect(q).not.toHaveProperty('answer')
      expect(q).not.toHaveProperty('explanation')
    }
    const other = await started(exam.id, await signIn(ctx.app, FLOWING))
    // Papers differ between people (question choice or option order).
    expect(JSON.stringify(other.paper)).not.toBe(JSON.stringify(exam!.paper))
  })

  it('never sends an exam answer, explanation or seed through any route a member can call before it closes', async () => {
    const seeds = (await ctx.testDb.db.selectFrom('exam').select('seed').execute()).map((e) => e.seed)
    const secrets = [...bank.map((q) => q.explanation), ...seeds]
    const ops = (await loadOperations(ctx)).filter((op) => op.method === 'GET')
    const exam = (await mine())[0]!
    const bodies: string[] = []
    for (const op of ops) {
      const url = op.path.replace('{personId}', memberId).replace('{id}', exam.id)
      const res = await ctx.app.inject({ method: 'GET', url: `${url}?orgUnitId=${branchId}&year=${YEAR}`, headers: member })
      bodies.push(res.body)
    }
    bodies.push((await start(exam.id)).body)
    // The whole pull, every page.
    let since = ''
    for (;;) {
      const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers: member })).json()
      bodies.push(JSON.stringify(page))
      for (const c of page.changes) if (c.type === 'question' && c.id.startsWith('q-exam-')) expect(c.data).toBeNull()
      since = page.cursor
      if (!page.more) break
    }
    for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret)
    expect(bodies.join('')).toContain(exam.paper![0]!.stem)
  })

  it('scores a sealed attempt, refuses a second one, and shows answers only after the window', async () => {
    const exam = (await mine())[0]!
    const first = attempt(exam, {}, false)
    const res = await push([first])
    expect(res.json().results[0].status).toBe('applied')
    // Resent under a new record id: stored once.
    expect((await push([{ ...first, id: uuidv7() }])).json().results[0].status).toBe('applied')
    const again = attempt(exam)
    expect((await push([again])).json().results[0]).toMatchObject({ status: 'rejected', code: 'EXAM_ATTEMPTS', field: 'payload.attemptNo' })
    expect((await push([attempt(exam, { attemptNo: 2 })])).json().results[0]).toMatchObject({ code: 'EXAM_ATTEMPTS' })
    const after = (await mine())[0]!
    expect(after.results).toEqual([{ attemptNo: 1, score: 0, passed: false, at: expect.any(Number) }])
    expect(after.paper![0]).not.toHaveProperty('answer')

    await closeExam(exam.id)
    const closed = (await mine())[0]!
    expect(closed.closed).toBe(true)
    expect(closed.paper![0]!.answer).toEqual(bankAnswer(closed.paper![0]!.id))
    expect(closed.paper![0]!.explanation).toBe(bank.find((q) => q.id === closed.paper![0]!.id)!.explanation)
  })

  it('a failed exam starts retraining; the secretary sees the pass rate and who must retake', async () => {
    const archive = (await ctx.app.inject({ method: 'GET', url: `/api/v1/archive/${memberId}?year=${YEAR}`, headers: member })).json()
    expect(archive.retraining.map((r: { quizId: string }) => r.quizId)).toContain(QUIZ)
    const examId = (await mine())[0]!.id
    const results = (await ctx.app.inject({ method: 'GET', url: `/api/v1/exams/${examId}/results`, headers: secretary })).json()
    expect(results.retake).toEqual([expect.objectContaining({ personId: memberId, score: 0 })])
    const group = results.units.find((u: { taken: number }) => u.taken > 0)
    expect(group).toMatchObject({ taken: 1, passed: 0, passRate: 0 })
    const leader = await signIn(ctx.app, LEADER)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/exams/${examId}/results`, headers: leader })).statusCode).toBe(403)
  })

  it('refuses per record: after the window, before it, a question not on the paper, a paper not given', async () => {
    const open = (await create({ attemptsAllowed: 2 })).json()
    const exam = await started(open.id)
    expect((await start(open.id, 2)).statusCode).toBe(200)
    const late = attempt(exam, {}, true, Date.now() + 2 * HOUR) // the server bounds `at` by its own clock
    const stranger = attempt(exam)
    stranger.payload.answers[0]!.questionId = bank.map((q) => q.id).find((id) => !exam.paper!.some((p) => p.id === id))!
    const short = attempt(exam)
    short.payload.answers.pop()
    const nowhere = attempt(exam, { examId: 'no-such-exam' })
    const res = (await push([stranger, short, nowhere])).json().results
    expect(res.map((r: { code: string }) => r.code)).toEqual(['EXAM_PAPER', 'EXAM_PAPER', 'INVALID_PAYLOAD'])
    expect(res[0].field).toBe('payload.answers.0.questionId')
    // `late`'s clock is ahead: bounded by receivedAt, it counts as now, inside the window: applied and passed.
    expect((await push([late])).json().results[0].status).toBe('applied')
    expect((await mine()).find((e) => e.id === open.id)!.results[0]).toMatchObject({ score: 100, passed: true })

    await closeExam(open.id)
    const after = attempt(exam, { attemptNo: 2 })
    expect((await push([after])).json().results[0]).toMatchObject({ status: 'rejected', code: 'EXAM_CLOSED' })
    const future = (await create({ opensAt: Date.now() + HOUR, closesAt: Date.now() + 2 * HOUR })).json()
    const notOpen = (await mine()).find((e) => e.id === future.id)!
    expect(notOpen.paper).toBeNull()
    const early = attempt({ ...notOpen, paper: exam.paper })
    expect((await push([early])).json().results[0]).toMatchObject({ status: 'rejected', code: 'EXAM_NOT_OPEN' })
  })

  describe('time limit, judged from when the server handed out the paper', () => {
    const MINUTE = 60_000
    const startedAgo = (examId: string, ms: number) =>
      ctx.testDb.db.updateTable('exam_start').set({ started_at: Date.now() - ms }).where('exam_id', '=', examId).where('person_id', '=', memberId).execute()

    it('keeps the first start when asked again, and refuses a start beyond the allowance or outside the window', async () => {
      const { id } = (await create({ attemptsAllowed: 1 })).json()
      const first = (await start(id)).json()
      expect(first.exam.paper).toHaveLength(5)
      await startedAgo(id, 10 * MINUTE)
      const again = (await start(id)).json()
      expect(again.startedAt).toBeLessThan(first.startedAt - 9 * MINUTE)
      expect((await start(id, 2)).json()).toMatchObject({ code: 'EXAM_ATTEMPTS', field: 'body.attemptNo' })
      const future = (await create({ opensAt: Date.now() + HOUR, closesAt: Date.now() + 2 * HOUR })).json()
      expect((await start(future.id)).json()).toMatchObject({ code: 'EXAM_NOT_OPEN' })
      expect((await start('no-such-exam')).statusCode).toBe(404)
    })

    it('scores an attempt sealed within the limit, whatever the phone says it started', async () => {
      const { id } = (await create({})).json()
      const exam = await started(id)
      await startedAgo(id, 19 * MINUTE)
      // The phone claims it started a minute ago: not believed, not needed.
      const res = (await push([attempt(exam)])).json().results[0]
      expect(res.status).toBe('applied')
    })

    it('refuses an attempt sealed after start + limit, one never started, and one that arrives a day late', async () => {
      const { id } = (await create({ opensAt: Date.now() - 30 * HOUR, attemptsAllowed: 3 })).json()
      const exam = await started(id)
      await startedAgo(id, 25 * MINUTE)
      const late = (await push([attempt(exam)])).json().results[0]
      expect(late).toMatchObject({ status: 'rejected', code: 'EXAM_TIME', field: 'payload.attemptNo' })

      const never = (await push([attempt(exam, { attemptNo: 2 })])).json().results[0]
      expect(never).toMatchObject({ status: 'rejected', code: 'EXAM_PAPER' })

      // Started 26 h ago; the phone's corrected clock says it sealed 10 minutes in; it arrives now.
      await start(id, 3)
      await ctx.testDb.db.updateTable('exam_start').set({ started_at: Date.now() - 26 * HOUR }).where('exam_id', '=', id).where('attempt_no', '=', 3).execute()
      const stale = attempt(exam, { attemptNo: 3 }, true, Date.now() - 26 * HOUR + 10 * MINUTE)
      expect((await push([stale])).json().results[0]).toMatchObject({ status: 'rejected', code: 'EXAM_TIME' })
    })
  })

  it('refuses a practice attempt at an exam quiz', async () => {
    const res = await push([{ id: uuidv7(), kind: 'quiz_attempt', createdAt: Date.now(), deviceId: 'd1', payload: { attemptId: uuidv7(), quizId: QUIZ, quizVersion: 1, answers: [{ questionId: bank[0]!.id, answer: [] }], startedAt: 0, clientScore: 0 } }])
    expect(res.json().results[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
  })
})
