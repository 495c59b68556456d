/**
 * 测试 Quiz, offline: a member takes a quiz with no network, reloads half-way (answers, place and
 * timer survive), submits and sees the result; back online, the server holds the attempt once,
 * with the score it computed itself, equal to the phone's.
 */
import SQLite from 'better-sqlite3'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'
import { goOffline, goOnline, PHONES, screenshot, usePhone, waitForServiceWorker } from './support/browser.ts'

const phone = usePhone(PHONES.member)
const QUIZ = 'quiz-constitution-basics'

const content = parseContent(CONTENT_DIR)
const quiz = content.quizzes.find((q) => q.id === QUIZ)!
const fixed = (JSON.parse(quiz.selection) as { fixed: string[] }).fixed
const questions = fixed.map((id) => content.questions.find((q) => q.id === id)!)

/** Answers the question on screen: right, except the question ids in `wrong`. */
async function answerShown(wrong: Set<string>): Promise<void> {
  const page = phone.page
  const progress = await page.getByTestId('quiz-progress').innerText()
  const n = Number(/(\d+)/.exec(progress)![1])
  const q = questions[n - 1]!
  const answer = JSON.parse(q.answer) as string[]
  if (q.type === 'fill') {
    await page.getByTestId('quiz-fill').locator('input').fill(wrong.has(q.id) ? '不知道' : `  ${answer[0]} `)
  } else if (q.type === 'truefalse') {
    const right = answer[0]!
    await page.getByTestId(`option-${wrong.has(q.id) ? (right === 'true' ? 'false' : 'true') : right}`).click()
  } else if (wrong.has(q.id)) {
    const letters = (JSON.parse(q.options) as string[]).map((_, i) => String.fromCharCode(65 + i))
    await page.getByTestId(`option-${letters.find((l) => !answer.includes(l))}`).click()
  } else {
    for (const a of answer) await page.getByTestId(`option-${a}`).click()
  }
}

describe('quiz offline', () => {
  it('takes a quiz offline through a reload, shows the result, and the server scores it the same', async () => {
    const { page, context, server } = phone
    await waitForServiceWorker(page)
    await page.getByTestId('tab-quiz').click()
    await page.getByTestId(`quiz-${QUIZ}`).waitFor({ timeout: 30_000 })

    await goOffline(context)
    await page.getByTestId(`quiz-${QUIZ}`).click()
    await page.getByTestId('quiz-progress').waitFor()
    expect(await page.getByTestId('quiz-progress').innerText()).toMatch(/1.*10/)
    expect(await page.getByTestId('quiz-clock').innerText()).toMatch(/15:00|14:\d\d/)
    await screenshot(page, 'quiz-question')

    const wrong = new Set([questions[2]!.id, questions[7]!.id])
    for (let i = 0; i < 5; i++) {
      await answerShown(wrong)
      await page.getByTestId('quiz-next').click()
    }
    await sleep(200) // the last save is an IndexedDB write
    await page.reload()
    await page.getByTestId('quiz-progress').waitFor()
    expect(await page.getByTestId('quiz-progress').innerText()).toMatch(/6.*10/)
    await page.getByTestId('quiz-prev').click()
    expect(await page.locator('[aria-checked="true"], .question__fill input').count()).toBeGreaterThan(0)
    await page.getByTestId('quiz-next').click()

    for (let i = 5; i < 10; i++) {
      await answerShown(wrong)
      if (i < 9) await page.getByTestId('quiz-next').click()
    }
    await page.getByTestId('quiz-submit').click()
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('quiz-score').waitFor()
    expect(await page.getByTestId('quiz-score').innerText()).toMatch(/80/)
    expect(await page.getByTestId(`result-${questions[2]!.id}`).innerText()).toMatch(/✗/)
    await screenshot(page, 'quiz-result')
    const resultUrl = page.url()

    await goOnline(context)
    let rows: { score: number; passed: number; client_score: number }[] = []
    for (let i = 0; i < 60 && rows.length === 0; i++) {
      await sleep(500)
      const db = new SQLite(server.dbFile, { readonly: true })
      rows = db.prepare('select score, passed, client_score from quiz_attempt where quiz_id = ?').all(QUIZ) as typeof rows
      db.close()
    }
    expect(rows).toEqual([{ score: 80, passed: 1, client_score: 80 }])

    // The two wrong answers are in the wrong-answer book 错题本, to practise.
    await page.goto(new URL('/quiz', resultUrl).href)
    expect(await page.getByTestId('wrong-book').innerText()).toMatch(/2/)
    await page.getByTestId('wrong-book').click()
    expect(await page.getByTestId('wrong-progress').innerText()).toMatch(/1.*2/)
    await screenshot(page, 'quiz-wrong-book')
    const fill = page.getByTestId('quiz-fill')
    if (await fill.count()) await fill.locator('input').fill('x')
    else await page.locator('.option').first().click()
    await page.getByTestId('wrong-check').click()
    await page.getByTestId('wrong-next').waitFor()

    // Elder mode: the same screens with large type.
    await page.goto(new URL('/me', resultUrl).href)
    await page.getByTestId('elder-switch').click()
    await page.goto(new URL(`/quiz/${QUIZ}`, resultUrl).href)
    await page.getByTestId('quiz-progress').waitFor()
    await screenshot(page, 'quiz-question-elder')
    await page.goto(resultUrl)
    await page.getByTestId('quiz-score').waitFor()
    await screenshot(page, 'quiz-result-elder')
    await page.goto(new URL('/me', resultUrl).href)
    await page.getByTestId('elder-switch').click()
  }, 120_000)
})
