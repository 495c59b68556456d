/**
 * Assignments: secretaries create, list and cancel them inside their subtree only; each phone's
 * pull carries only the assignments that apply to its person (unit, member group, named);
 * failing an assigned quiz flags retraining until a pass; the leaders' list stays in the
 * viewer's subtree.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { AssignmentResults, AssignmentView } from '../../../src/protocol/assignment.ts'
import type { PullChange } from '../../../src/protocol/content.ts'
import type { Question, Quiz } from '../../../src/protocol/quiz.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const DAY = 86_400_000
const QUIZ = 'quiz-constitution-basics'

describe.each(DIALECTS)('assignments on %s', (dialect) => {
  let ctx: TestContext
  const h: Record<string, { authorization: string }> = {}
  let branchA: string
  let branchB: string
  let groupA1: string
  let secretaryB: string
  let member: TestContext['seed']['people'][number]
  let flowing: TestContext['seed']['people'][number]
  let quiz: Quiz
  let questions: Map<string, Question>

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    const { people, units, roles } = ctx.seed
    member = people.find((p) => p.phone === '13800000001')!
    flowing = people.find((p) => p.phone === '13800000002')!
    groupA1 = member.org_unit_id
    branchA = units.find((u) => u.id === groupA1)!.parent_id!
    const secretaryRoleB = roles.find((r) => r.role === 'secretary' && r.org_unit_id !== branchA)!
    branchB = secretaryRoleB.org_unit_id
    secretaryB = people.find((p) => p.id === secretaryRoleB.person_id)!.phone
    for (const phone of ['13800000001', '13800000002', '13800000003', '13800000004', secretaryB]) h[phone] = await signIn(ctx.app, phone)
    const all = await pullAll(h['13800000001']!)
    quiz = all.flatMap((c) => (c.type === 'quiz' && c.data?.id === QUIZ ? [c.data] : []))[0]!
    questions = new Map(all.flatMap((c) => (c.type === 'question' && c.data ? [[c.id, c.data] as const] : [])))
  })
  afterAll(() => ctx.close())

  /** The cursor the last pullAll ended at (cursors are opaque: they carry the person's scope too). */
  let lastCursor = ''
  async function pullAll(auth: { authorization: string }, since = ''): Promise<PullChange[]> {
    const changes: PullChange[] = []
    for (;;) {
      const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers: auth })).json()
      changes.push(...page.changes)
      since = page.cursor
      if (!page.more) {
        lastCursor = since
        return changes
      }
    }
  }
  const assignmentsIn = (changes: PullChange[]) => changes.filter((c) => c.type === 'assignment')

  const create = (auth: { authorization: string }, body: Record<string, unknown>) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/assignments',
      headers: auth,
      payload: { id: randomUUID(), contentKind: 'quiz', contentId: QUIZ, orgUnitId: branchA, dueAt: Date.now() + 7 * DAY, ...body },
    })

  const results = async (id: string, auth: { authorization: string }, orgUnitId: string) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments/${id}/results?orgUnitId=${orgUnitId}`, headers: auth })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as AssignmentResults
  }

  /** Pushes an attempt at the assigned quiz: every answer right, or every answer left empty. */
  async function takeQuiz(auth: { authorization: string }, right: boolean, createdAt = Date.now()) {
    const ids = 'fixed' in quiz.questions ? quiz.questions.fixed : []
    const answers = ids.map((id) => ({ questionId: id, answer: right ? questions.get(id)!.answer : [] }))
    const record = {
      id: uuidv7(),
      kind: 'quiz_attempt',
      createdAt,
      deviceId: 'd1',
      payload: { attemptId: uuidv7(), quizId: QUIZ, quizVersion: quiz.version, answers, startedAt: Date.now() - 60_000, clientScore: 0 },
    }
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: auth, payload: { deviceId: 'd1', outboxCount: 1, records: [record] } })
    expect(res.json().results[0].status).toBe('applied')
  }

  it('lets a secretary create, list and cancel an assignment for their branch, audited', async () => {
    const body = { id: randomUUID(), contentKind: 'course', contentId: 'rural-safety' }
    const res = await create(h['13800000004']!, body)
    expect(res.statusCode, res.body).toBe(201)
    const view: AssignmentView = res.json()
    expect(view).toMatchObject({ contentKind: 'course', contentTitle: '农村安全生产与防灾', orgUnitId: branchA, target: 'unit', memberGroup: null })
    // A retried create (its answer was lost) is stored once.
    const again = await create(h['13800000004']!, body)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(view)

    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments?orgUnitId=${branchA}&limit=1`, headers: h['13800000004']! })
    expect(list.statusCode).toBe(200)
    expect(list.json().items.map((a: AssignmentView) => a.id)).toEqual([view.id])

    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${view.id}`, headers: h['13800000004']! })
    expect(del.statusCode).toBe(204)
    const after = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments?orgUnitId=${branchA}`, headers: h['13800000004']! })
    expect(after.json().items.map((a: AssignmentView) => a.id)).not.toContain(view.id)
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('action').where('target', '=', view.id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['assignment.create', 'assignment.cancel'])
  })

  it('answers 400 naming the field, and writes nothing', async () => {
    const sec = h['13800000004']!
    const cases: [Record<string, unknown>, string][] = [
      [{ dueAt: Date.now() - DAY }, 'body.dueAt'],
      [{ contentId: 'no-such-quiz' }, 'body.contentId'],
      [{ personIds: [ctx.seed.people.find((p) => p.phone === secretaryB)!.id] }, 'body.personIds'],
      [{ personIds: [member.id], memberGroup: 'flowing' }, 'body.memberGroup'],
      [{ memberGroup: 'children' }, 'body.memberGroup'],
    ]
    for (const [body, field] of cases) {
      const res = await create(sec, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json().field).toBe(field)
    }
    const id = randomUUID()
    await create(sec, { id })
    expect((await create(sec, { id, contentId: 'quiz-anti-fraud' })).statusCode).toBe(409)
  })

  it('refuses a secretary of branch B in branch A (403), and members everywhere', async () => {
    expect((await create(h[secretaryB]!, {})).statusCode).toBe(403)
    expect((await create(h['13800000001']!, { orgUnitId: groupA1 })).statusCode).toBe(403)
    expect((await create(h['13800000003']!, { orgUnitId: groupA1 })).statusCode).toBe(403)
    const mine = (await create(h['13800000004']!, {})).json() as AssignmentView
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments?orgUnitId=${branchA}`, headers: h[secretaryB]! })
    expect(list.statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${mine.id}`, headers: h[secretaryB]! })).statusCode).toBe(403)
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments/${mine.id}/results?orgUnitId=${branchB}`, headers: h[secretaryB]! })
    expect(res.statusCode).toBe(403)
    const cross = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments/${mine.id}/results?orgUnitId=${branchA}`, headers: h[secretaryB]! })
    expect(cross.statusCode).toBe(403)
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${mine.id}`, headers: h['13800000004']! })
  })

  it('pulls to each phone only the assignments that apply to its person', async () => {
    const sec = h['13800000004']!
    await pullAll(h['13800000001']!)
    const cursorMember = lastCursor
    await pullAll(h['13800000002']!)
    const cursorFlowing = lastCursor
    const forFlowing = (await create(sec, { memberGroup: 'flowing' })).json() as AssignmentView
    const forMember = (await create(sec, { personIds: [member.id], contentId: 'quiz-anti-fraud' })).json() as AssignmentView
    const forBranchB = (await create(h[secretaryB]!, { orgUnitId: branchB })).json() as AssignmentView
    const forGroup = (await create(sec, { orgUnitId: groupA1, contentKind: 'course', contentId: 'rural-safety' })).json() as AssignmentView
    expect(forBranchB.id).toBeTruthy()

    const memberSees = assignmentsIn(await pullAll(h['13800000001']!, cursorMember))
    const flowingSees = assignmentsIn(await pullAll(h['13800000002']!, cursorFlowing))
    const flowingUpToDate = lastCursor
    expect(memberSees.map((c) => c.id).sort()).toEqual([forMember.id, forGroup.id].sort())
    expect(flowingSees.map((c) => c.id).sort()).toEqual([forFlowing.id, forGroup.id].sort())
    expect(flowingSees.find((c) => c.id === forFlowing.id)).toMatchObject({ data: { quizId: QUIZ, courseId: null, dueAt: expect.any(Number) } })

    // Cancelled: the phones that had it get a tombstone.
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${forFlowing.id}`, headers: sec })
    const next = assignmentsIn(await pullAll(h['13800000002']!, flowingUpToDate))
    expect(next).toEqual([{ type: 'assignment', id: forFlowing.id, version: expect.any(Number), data: null }])
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${forMember.id}`, headers: sec })
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${forGroup.id}`, headers: sec })
  })

  it('flags retraining when the latest attempt fails and clears it on a pass', async () => {
    const a = (await create(h['13800000004']!, { orgUnitId: groupA1 })).json() as AssignmentView
    await takeQuiz(h['13800000002']!, false)
    let r = await results(a.id, h['13800000004']!, branchA)
    const row = () => r.items.find((i) => i.personId === flowing.id)!
    expect(row()).toMatchObject({ attempts: 1, lastScore: 0, passed: false, retraining: true })
    expect(r.summary).toMatchObject({ targeted: 12, done: 1, passed: 0, retraining: 1 })

    await takeQuiz(h['13800000002']!, true)
    r = await results(a.id, h['13800000004']!, branchA)
    expect(row()).toMatchObject({ attempts: 2, lastScore: 100, passed: true, retraining: false })
    expect(r.summary).toMatchObject({ done: 1, passed: 1, retraining: 0 })
    expect(r.items.find((i) => i.personId === member.id)).toMatchObject({ attempts: 0, passed: null, retraining: false })
  })

  it("keeps the leaders' list inside the viewer's subtree", async () => {
    const a = (await create(h['13800000004']!, {})).json() as AssignmentView
    // The secretary sees the whole branch, the group leader only their own group.
    const branch = await results(a.id, h['13800000004']!, branchA)
    expect(branch.summary.targeted).toBe(36)
    const group = await results(a.id, h['13800000003']!, groupA1)
    expect(group.summary.targeted).toBe(12)
    expect(group.items.every((i) => i.orgUnitName === group.items[0]!.orgUnitName)).toBe(true)
    const up = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments/${a.id}/results?orgUnitId=${branchA}`, headers: h['13800000003']! })
    expect(up.statusCode).toBe(403)
    // Paged: two pages of 20 hold every person once.
    const p1 = await ctx.app.inject({ method: 'GET', url: `/api/v1/assignments/${a.id}/results?orgUnitId=${branchA}&limit=20`, headers: h['13800000004']! })
    const p2 = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/assignments/${a.id}/results?orgUnitId=${branchA}&limit=20&cursor=${p1.json().next}`,
      headers: h['13800000004']!,
    })
    expect(new Set([...p1.json().items, ...p2.json().items].map((i: { personId: string }) => i.personId)).size).toBe(36)
    expect(p2.json().next).toBeNull()
  })

  it('counts course completion of an assigned course from study events', async () => {
    const a = (await create(h['13800000004']!, { orgUnitId: groupA1, contentKind: 'course', contentId: 'rural-safety' })).json() as AssignmentView
    const lessons = await ctx.testDb.db.selectFrom('lesson').select('id').where('course_id', '=', 'rural-safety').execute()
    const records = lessons.map((l) => ({
      id: uuidv7(),
      kind: 'study_event',
      createdAt: Date.now(),
      deviceId: 'd1',
      payload: { lessonId: l.id, courseId: 'rural-safety', kind: 'completed', seconds: 0 },
    }))
    await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: h['13800000001']!, payload: { deviceId: 'd1', outboxCount: 0, records } })
    const r = await results(a.id, h['13800000003']!, groupA1)
    expect(r.summary).toMatchObject({ targeted: 12, done: 1, lessonsTotal: lessons.length })
    expect(r.items.find((i) => i.personId === member.id)?.lessonsCompleted).toBe(lessons.length)
  })

  it('does not let a failed attempt from a phone whose clock is decades fast stay the latest', async () => {
    const a = (await create(h['13800000004']!, { orgUnitId: groupA1 })).json() as AssignmentView
    await takeQuiz(h['13800000001']!, false, Date.UTC(2099, 0, 1))
    await takeQuiz(h['13800000001']!, true)
    const r = await results(a.id, h['13800000004']!, branchA)
    expect(r.items.find((i) => i.personId === member.id)).toMatchObject({ attempts: 2, lastScore: 100, passed: true, retraining: false })
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assignments/${a.id}`, headers: h['13800000004']! })
  })
})
