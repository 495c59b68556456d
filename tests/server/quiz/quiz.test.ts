/**
 * Quizzes on the server: the import refuses bad banks and quizzes with file:line and writes
 * nothing; quizzes and questions reach phones through the pull; a pushed attempt is re-scored
 * against the quiz version the phone showed, whatever score the phone claims.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContentError, parseContent } from '../../../server/features/content/content.parse.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { PullChange } from '../../../src/protocol/content.ts'
import type { Question, Quiz } from '../../../src/protocol/quiz.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const dirs: string[] = []
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pps-quiz-'))
  cpSync(CONTENT_DIR, dir, { recursive: true })
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function errorOf(dir: string): ContentError {
  try {
    parseContent(dir)
  } catch (err) {
    if (err instanceof ContentError) return err
    throw err
  }
  throw new Error('expected a ContentError')
}

/** Replaces the first occurrence of `from` in a content file. */
function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`)
  writeFileSync(path, text.replace(from, to))
}

const lineOf = (dir: string, file: string, needle: string) =>
  readFileSync(join(dir, file), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1

describe('importing quizzes', () => {
  it('reads the 255 questions (8 in the exam bank) and 12 quizzes', () => {
    const c = parseContent(CONTENT_DIR)
    expect(c.questions).toHaveLength(255)
    expect(c.quizzes).toHaveLength(12)
    const q = c.questions.find((x) => x.id === 'q-constitution-basics-006')!
    expect(JSON.parse(q.answer)).toEqual(['A', 'C', 'D'])
    expect(q.source_kind).toBe('lesson')
  })

  const BANK = 'quizzes/banks/bank-constitution-basics.yaml'
  it('refuses a choice answer letter outside the options', () => {
    const dir = scratch()
    edit(dir, BANK, '    answer: C\n', '    answer: F\n')
    const e = errorOf(dir)
    expect(e.file).toBe(BANK)
    expect(e.line).toBe(lineOf(dir, BANK, 'answer: F'))
    expect(e.what).toMatch(/not one of the options A, B, C, D/)
  })

  it('refuses an unknown source id', () => {
    const dir = scratch()
    edit(dir, BANK, 'source: constitution-basics-01', 'source: no-such-lesson')
    const e = errorOf(dir)
    expect({ file: e.file, line: e.line }).toEqual({ file: BANK, line: lineOf(dir, BANK, 'no-such-lesson') })
    expect(e.what).toMatch(/neither a lesson nor a pocket-book entry/)
  })

  it('refuses an unknown question in a fixed quiz', () => {
    const dir = scratch()
    const file = 'quizzes/quiz-constitution-basics.yaml'
    edit(dir, file, 'q-constitution-basics-001,', 'q-nowhere-001,')
    const e = errorOf(dir)
    expect({ file: e.file, line: e.line }).toEqual({ file, line: lineOf(dir, file, 'q-nowhere-001') })
    expect(e.what).toMatch(/"q-nowhere-001" is not in any bank/)
  })

  it('refuses a draw from a bank with too few questions', () => {
    const dir = scratch()
    const file = 'quizzes/quiz-anti-fraud.yaml'
    edit(dir, file, 'count: 5', 'count: 500')
    const e = errorOf(dir)
    expect({ file: e.file, line: e.line }).toEqual({ file, line: lineOf(dir, file, 'count: 500') })
    expect(e.what).toMatch(/fewer than count 500/)
  })
})

describe.each(DIALECTS)('quizzes through pull and push on %s', (dialect) => {
  let ctx: TestContext
  let auth: { authorization: string }
  let quizzes: Quiz[]
  let questions: Map<string, Question>

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    auth = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    const changes: PullChange[] = []
    let since = ''
    for (;;) {
      const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${since}`, headers: auth })).json()
      changes.push(...page.changes)
      since = page.cursor
      if (!page.more) break
    }
    quizzes = changes.flatMap((c) => (c.type === 'quiz' && c.data ? [c.data] : []))
    questions = new Map(changes.flatMap((c) => (c.type === 'question' && c.data ? [[c.id, c.data] as const] : [])))
  })
  afterAll(() => ctx.close())

  it('pulls every quiz and question, answers included', () => {
    expect(quizzes).toHaveLength(11)
    expect(questions.size).toBe(247)
    expect(questions.get('q-constitution-basics-005')).toMatchObject({ type: 'truefalse', answer: ['false'] })
  })

  const push = (records: unknown[]) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: auth, payload: { deviceId: 'd1', outboxCount: records.length, records } })

  function attempt(overrides: Record<string, unknown> = {}, answersRight = true) {
    const quiz = quizzes.find((q) => q.id === 'quiz-constitution-basics')!
    const ids = 'fixed' in quiz.questions ? quiz.questions.fixed : []
    const answers = ids.map((id) => ({ questionId: id, answer: answersRight ? questions.get(id)!.answer.slice(0, 1 + (questions.get(id)!.type === 'multiple' ? 9 : 0)) : [] }))
    return {
      id: uuidv7(),
      kind: 'quiz_attempt',
      createdAt: Date.now(),
      deviceId: 'd1',
      payload: { attemptId: uuidv7(), quizId: quiz.id, quizVersion: quiz.version, answers, startedAt: Date.now() - 60_000, clientScore: 100, ...overrides },
    }
  }

  it('re-scores an attempt and ignores a tampered client score; a replay is harmless', async () => {
    const empty = attempt({}, false) // nothing answered, phone claims 100
    const right = attempt({ clientScore: 0 })
    const res = await push([empty, right])
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied'])
    const rows = await ctx.testDb.db.selectFrom('quiz_attempt').selectAll().orderBy('score').execute()
    expect(rows.map((r) => [r.score, Number(r.passed), r.client_score])).toEqual([
      [0, 0, 100],
      [100, 1, 0],
    ])
    const again = await push([empty])
    expect(again.json().results[0].status).toBe('duplicate')
    // Resent under a new record id (e.g. a corrected dead letter): still one attempt.
    await push([{ ...empty, id: uuidv7() }])
    expect(await ctx.testDb.db.selectFrom('quiz_attempt').select('id').execute()).toHaveLength(2)
  })

  it('refuses an unknown quiz, an unknown version and answers of the wrong shape', async () => {
    const unknown = attempt({ quizId: 'quiz-nowhere' })
    const oldVersion = attempt({ quizVersion: 1 })
    const wrongShape = attempt()
    ;(wrongShape.payload.answers as { answer: string[] }[])[0]!.answer = ['Z']
    const tooFew = attempt()
    ;(tooFew.payload.answers as unknown[]).pop()
    const res = await push([unknown, oldVersion, wrongShape, tooFew])
    const results = res.json().results as { status: string; code?: string; field?: string }[]
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected'])
    expect(results[0]).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'payload.quizId' })
    expect(results[1]).toMatchObject({ field: 'payload.quizVersion' })
    expect(results[2]).toMatchObject({ field: 'payload.answers.0.answer' })
    expect(results[3]).toMatchObject({ field: 'payload.answers' })
  })

  it('scores an attempt against the version the phone showed, after the answer changed', async () => {
    const before = attempt({ clientScore: 100 })
    const dir = scratch()
    // q-constitution-basics-001's answer changes from C to A in a new import.
    const file = join(dir, 'quizzes/banks/bank-constitution-basics.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('    answer: C\n', '    answer: A\n'))
    await importContent(ctx.testDb.db, dir)
    const res = await push([before])
    expect(res.json().results[0].status).toBe('applied')
    const row = await ctx.testDb.db.selectFrom('quiz_attempt').selectAll().where('id', '=', before.payload.attemptId).executeTakeFirstOrThrow()
    expect(row.score).toBe(100)
    const latest = await ctx.testDb.db.selectFrom('quiz').select('version').where('id', '=', 'quiz-constitution-basics').executeTakeFirstOrThrow()
    expect(Number(latest.version)).toBeGreaterThan(before.payload.quizVersion)
  })
})
