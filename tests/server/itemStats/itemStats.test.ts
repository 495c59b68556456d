/**
 * Question quality against a hand-computed example: 40 attempts, groups of round(0.27 × 40) = 11.
 * q1 right in the 20 best attempts: difficulty 0.5, discrimination 11/11 − 0/11 = 1 (kept).
 * q2 right in the even-scored attempts: 0.5, 5/11 − 6/11 = −1/11 (flagged: negative).
 * q3 right in all but the worst: 39/40 = 0.975, 11/11 − 10/11 = 1/11 (flagged: too easy, low).
 * q4 answered in 29 attempts only: no figures.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { refreshItemStats } from '../../../server/features/itemStats/itemStats.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const QUIZ = 'quiz-item-example'
const [MEMBER] = DEMO_LOGINS.map((l) => l.phone)
const SUPERVISOR = DEMO_LOGINS.find((l) => l.role === 'supervisor')!.phone
const EDITOR = DEMO_LOGINS.find((l) => l.role === 'editor')!.phone

describe.each(DIALECTS)('question quality on %s', (dialect) => {
  let ctx: TestContext
  let ids: string[]

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    const db = ctx.testDb.db
    ids = (await db.selectFrom('question').select('id').where('exam_only', '=', 0).orderBy('id').limit(4).execute()).map((q) => q.id)
    const questions = ids.map((id) => ({ id, type: 'single', options: ['甲', '乙'], answer: ['A'] }))
    await db.insertInto('quiz_snapshot').values({ quiz_id: QUIZ, version: 1, selection: '{}', pass_mark: 60, questions: JSON.stringify(questions) }).execute()
    const personId = ctx.seed.people.find((p) => p.phone === MEMBER)!.id
    const rights = [(i: number) => i >= 20, (i: number) => i % 2 === 0, (i: number) => i > 0, () => true]
    const rows = Array.from({ length: 40 }, (_, i) => {
      const answers = ids.slice(0, i < 29 ? 4 : 3).map((id, k) => ({ questionId: id, answer: [rights[k]!(i) ? 'A' : 'B'] }))
      return { id: `item-${String(i).padStart(2, '0')}`, person_id: personId, quiz_id: QUIZ, quiz_version: 1, answers: JSON.stringify(answers), correct: 0, total: answers.length, score: i, passed: 0, client_score: null, started_at: 0, device: 'd', created_at: 0, received_at: 0 }
    })
    await db.insertInto('quiz_attempt').values(rows).execute()
  })
  afterAll(() => ctx.close())

  const page = async (query = '', who: string = SUPERVISOR) => ctx.app.inject({ method: 'GET', url: `/api/v1/item-stats${query}`, headers: await signIn(ctx.app, who) })

  it('computes difficulty and discrimination as by hand, and flags only the weak questions', async () => {
    expect(await refreshItemStats(ctx.testDb.db)).toMatchObject({ questions: 3 })
    const stats = await ctx.testDb.db.selectFrom('item_stat').selectAll().where('question_id', 'in', ids).orderBy('question_id').execute()
    expect(stats.map((s) => [s.question_id, Number(s.attempts), Number(s.difficulty), Number(s.discrimination).toFixed(4), Number(s.flagged)])).toEqual([
      [ids[0], 40, 0.5, '1.0000', 0],
      [ids[1], 40, 0.5, (-1 / 11).toFixed(4), 1],
      [ids[2], 40, 0.975, (1 / 11).toFixed(4), 1],
    ])
    // A rebuild from the attempts gives the same rows.
    await refreshItemStats(ctx.testDb.db)
    expect(await ctx.testDb.db.selectFrom('item_stat').selectAll().where('question_id', 'in', ids).orderBy('question_id').execute()).toEqual(
      stats.map((s) => ({ ...s, computed_at: expect.anything() })),
    )
  })

  it('lists flagged questions with their numbers to a supervisor or course editor, one page at a time, and to no member', async () => {
    const first = (await page('?limit=1')).json()
    expect(first.items).toEqual([expect.objectContaining({ questionId: ids[1], attempts: 40, difficulty: 0.5, reasons: ['negative'] })])
    expect(first.items[0].stem.length).toBeGreaterThan(0)
    const second = (await page(`?limit=1&cursor=${first.next}`)).json()
    expect(second.items).toEqual([expect.objectContaining({ questionId: ids[2], difficulty: 0.975, reasons: ['lowDiscrimination', 'tooEasy'] })])
    expect(second.next).toBeNull()
    expect((await page('', MEMBER)).statusCode).toBe(403)
    // Editors write the questions, so they read the figures too (their role ranks with members).
    expect((await page('?limit=1', EDITOR)).json().items).toEqual(first.items)
    expect((await page('?cursor=nonsense')).json()).toMatchObject({ field: 'querystring.cursor' })
  })

  it.runIf(dialect === 'postgres')('computes on one instance at a time: another skips while the lock is held', async () => {
    const db = ctx.testDb.db
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext('item_stat'))`.execute(trx)
      expect(await refreshItemStats(db)).toBe('busy')
    })
    expect(await refreshItemStats(db)).not.toBe('busy')
  })
})
