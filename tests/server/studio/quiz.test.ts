import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QuestionBankDraft, QuizDraft, StudioItem } from '../../../src/protocol/studio.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const [MEMBER, , , , , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)
const SOURCE = 'constitution-basics-01'

const question = (over: Partial<QuestionBankDraft['questions'][number]> = {}): QuestionBankDraft['questions'][number] => ({
  type: 'single',
  stem: '合作社的账目多久公开一次？',
  options: ['每季度', '每年', '从不'],
  answer: ['A'],
  explanation: '章程写明每季度公开。',
  source: SOURCE,
  tags: ['合作社'],
  ...over,
})
const bank = (questions = [question(), question({ type: 'truefalse', stem: '分红按股进行。', options: [], answer: ['true'] })]): QuestionBankDraft => ({
  type: 'question_bank',
  title: '合作社题库',
  exam: false,
  questions,
})
const quiz = (questions: QuizDraft['questions']): QuizDraft => ({
  type: 'quiz',
  title: '合作社小测',
  description: '两道题。',
  questions,
  timeLimitMinutes: null,
  passMark: 60,
  shuffleOptions: false,
})

describe.each(DIALECTS)('question banks and quizzes in the studio on %s', (dialect) => {
  let ctx: TestContext
  let editor: Headers
  let admin: Headers
  let member: Headers
  let districtId: string
  let bankItem: StudioItem
  let quizItem: StudioItem

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: object) => ctx.app.inject({ method, url: `/api/v1/studio${url}`, headers, payload })
  const save = async (it: StudioItem, draft: object, headers = editor) => (await call('PUT', `/items/${it.id}`, headers, { revision: it.revision, draft })).json() as StudioItem
  /** Submitted by the editor, approved by the admin: the draft becomes the newest version. */
  const publish = async (it: StudioItem) => {
    const submitted = await call('POST', `/items/${it.id}/submit`, editor, { revision: it.revision })
    expect(submitted.statusCode).toBe(200)
    const approved = await call('POST', `/items/${it.id}/approve`, admin, { revision: submitted.json().revision })
    expect(approved.statusCode).toBe(200)
    return approved.json() as StudioItem
  }
  const memberQuiz = async () => {
    const { version } = await ctx.testDb.db.selectFrom('quiz').select('version').where('id', '=', quizItem.contentId).executeTakeFirstOrThrow()
    return Number(version)
  }
  const attempt = (quizVersion: number, answers: { questionId: string; answer: string[] }[]) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: member,
      payload: {
        deviceId: 'd1',
        outboxCount: 1,
        records: [{ id: uuidv7(), kind: 'quiz_attempt', createdAt: Date.now(), deviceId: 'd1', payload: { attemptId: uuidv7(), quizId: quizItem.contentId, quizVersion, answers, startedAt: Date.now() - 60_000, clientScore: 0 } }],
      },
    })

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    ;[editor, admin, member] = await Promise.all([EDITOR, ADMIN, MEMBER].map((p) => signIn(ctx.app, p!)))
    districtId = ctx.seed.units.find((u) => u.kind === 'district')!.id
  })
  afterAll(() => ctx.close())

  it('shows every rule the file import enforces next to its field, and refuses to submit until they hold', async () => {
    const bad = bank([question({ answer: ['E'] }), question({ type: 'fill', options: ['x'], answer: [' '], source: 'no-such-lesson', explanation: '' })])
    const made = await call('POST', '/items', editor, { orgUnitId: districtId, draft: bad })
    expect(made.statusCode).toBe(201)
    bankItem = made.json()
    expect(bankItem.problems).toEqual([
      { field: 'questions.0.answer', message: 'answer "E" is not one of the options A, B, C' },
      { field: 'questions.1.options', message: 'a fill question has no options' },
      { field: 'questions.1.answer', message: 'a fill question needs at least one accepted answer' },
      { field: 'questions.1.source', message: 'source "no-such-lesson" is neither a lesson nor a pocket-book entry id' },
      { field: 'questions.1.explanation', message: '"explanation" is required text' },
    ])
    const refused = await call('POST', `/items/${bankItem.id}/submit`, editor, { revision: bankItem.revision })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ code: 'DRAFT_INVALID', field: 'draft.questions.0.answer' })
    bankItem = await save(bankItem, bank())
    expect(bankItem.problems).toEqual([])
    const ids = (bankItem.draft as QuestionBankDraft).questions.map((q) => q.id)
    expect(ids.every((id) => /^s-/.test(id!))).toBe(true)
  })

  it('refuses a publish approved by its own editor, then publishes the bank for members', async () => {
    const submitted = (await call('POST', `/items/${bankItem.id}/submit`, editor, { revision: bankItem.revision })).json()
    const self = await call('POST', `/items/${bankItem.id}/approve`, editor, { revision: submitted.revision })
    expect(self.statusCode).toBe(403)
    expect(self.json().code).toBe('SELF_APPROVAL')
    const approved = await call('POST', `/items/${bankItem.id}/approve`, admin, { revision: submitted.revision })
    expect(approved.statusCode).toBe(200)
    bankItem = approved.json()
    const rows = await ctx.testDb.db.selectFrom('question').select(['id', 'answer', 'bank_id']).where('bank_id', '=', bankItem.contentId).execute()
    expect(rows).toHaveLength(2)
  })

  it('checks a quiz against the published banks: unknown questions, a draw beyond the bank, a pass mark outside 0–100', async () => {
    const [q1, q2] = (bankItem.draft as QuestionBankDraft).questions.map((q) => q.id!)
    const made = await call('POST', '/items', editor, { orgUnitId: districtId, draft: { ...quiz({ fixed: [q1!, 'q-nowhere'] }), passMark: 150 } })
    quizItem = made.json()
    expect(quizItem.problems).toEqual([
      { field: 'questions.fixed', message: 'question "q-nowhere" is not in any bank of this unit or above' },
      { field: 'passMark', message: '"passMark" must be a percentage 0–100' },
    ])
    quizItem = await save(quizItem, quiz({ draw: { bank: bankItem.contentId, count: 3, tags: [] } }))
    expect(quizItem.problems).toEqual([{ field: 'questions.draw.count', message: `bank "${bankItem.contentId}" has 2 questions, fewer than count 3` }])
    quizItem = await save(quizItem, quiz({ fixed: [q1!, q2!] }))
    expect(quizItem.problems).toEqual([])
    quizItem = await publish(quizItem)
    const snapshot = await ctx.testDb.db.selectFrom('quiz_snapshot').selectAll().where('quiz_id', '=', quizItem.contentId).execute()
    expect(snapshot).toHaveLength(1)
  })

  it("scores a member's attempt on version 1 against version 1 after the editor publishes version 2", async () => {
    const [q1, q2] = (bankItem.draft as QuestionBankDraft).questions.map((q) => q.id!)
    const v1 = await memberQuiz()
    // Version 2: the first question's right answer becomes B.
    const draft = bank()
    bankItem = await save(bankItem, { ...draft, questions: draft.questions.map((q, i) => ({ ...q, id: [q1, q2][i], ...(i === 0 ? { answer: ['B'] } : {}) })) })
    bankItem = await publish(bankItem)
    const v2 = await memberQuiz()
    expect(v2).toBeGreaterThan(v1)
    const answers = [
      { questionId: q1!, answer: ['A'] },
      { questionId: q2!, answer: ['true'] },
    ]
    expect((await attempt(v1, answers)).json().results[0].status).toBe('applied')
    expect((await attempt(v2, answers)).json().results[0].status).toBe('applied')
    const scores = await ctx.testDb.db.selectFrom('quiz_attempt').select(['quiz_version', 'score']).where('quiz_id', '=', quizItem.contentId).orderBy('quiz_version').execute()
    expect(scores.map((s) => [Number(s.quiz_version), s.score])).toEqual([
      [v1, 100],
      [v2, 50],
    ])
  })

  it('refuses to unpublish a bank a published quiz still asks; unpublishes the quiz, rolls it back', async () => {
    const refused = await call('POST', `/items/${bankItem.id}/unpublish`, editor)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe('QUIZ_BROKEN')
    expect(await ctx.testDb.db.selectFrom('question').select('id').where('bank_id', '=', bankItem.contentId).where('deleted_at', 'is', null).execute()).toHaveLength(2)
    expect((await call('POST', `/items/${quizItem.id}/unpublish`, editor)).statusCode).toBe(200)
    const gone = await ctx.testDb.db.selectFrom('quiz').select('deleted_at').where('id', '=', quizItem.contentId).executeTakeFirstOrThrow()
    expect(gone.deleted_at).not.toBeNull()
    const back = await call('POST', `/items/${quizItem.id}/rollback`, admin, { version: 1 })
    expect(back.statusCode).toBe(200)
    const versions = (await call('GET', `/items/${quizItem.id}/versions`, editor)).json().items
    expect(versions.map((v: { number: number; action: string }) => [v.number, v.action])).toEqual([
      [2, 'rollback'],
      [1, 'publish'],
    ])
  })
})
