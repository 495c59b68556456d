/**
 * 每日一练 Daily practice, offline: a member practises today's five questions with no network,
 * gets one wrong, reloads half-way and finishes; the streak shows 1 day (after a reload too) and
 * the wrong question waits in the wrong-answer book. Elder mode: a question in large type with
 * read-aloud, at 360×640.
 */
import SQLite from 'better-sqlite3'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const phone = usePhone(PHONES.member)
const questions = new Map(parseContent(CONTENT_DIR).questions.map((q) => [q.id, q]))

/** Answers the question on screen, right or wrong on purpose; returns its id. */
async function answerShown(right: boolean): Promise<string> {
  const page = phone.page
  const id = (await page.locator('[data-question]').getAttribute('data-question'))!
  const q = questions.get(id)!
  const answer = JSON.parse(q.answer) as string[]
  if (q.type === 'fill') {
    await page.getByTestId('quiz-fill').locator('input').fill(right ? answer[0]! : '不知道')
  } else if (q.type === 'truefalse') {
    await page.getByTestId(`option-${right ? answer[0] : answer[0] === 'true' ? 'false' : 'true'}`).click()
  } else if (!right) {
    const letters = (JSON.parse(q.options) as string[]).map((_, i) => String.fromCharCode(65 + i))
    await page.getByTestId(`option-${letters.find((l) => !answer.includes(l))}`).click()
  } else {
    for (const a of answer) await page.getByTestId(`option-${a}`).click()
  }
  await page.getByTestId('practice-check').click()
  await page.getByTestId('practice-next').waitFor()
  return id
}

describe('daily practice offline', () => {
  it('practises offline through a reload, shows a 1-day streak, and files the wrong answer in the book', async () => {
    const { page, context } = phone
    await waitForServiceWorker(page)
    await page.getByTestId('tab-quiz').click()
    await page.getByTestId('quiz-quiz-constitution-basics').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('practice-entry').innerText()).toContain('今天还没练')

    await goOffline(context)
    await page.getByTestId('practice-entry').click()
    await page.getByTestId('practice-progress').waitFor()
    expect(await page.getByTestId('practice-progress').innerText()).toMatch(/1.*5/)
    await screenshot(page, 'practice-question')
    expect(await axeViolations(page)).toEqual([])

    const wrong = await answerShown(false)
    expect(await page.getByTestId(`result-${wrong}`).innerText()).toMatch(/✗/)
    await screenshot(page, 'practice-checked')
    await page.getByTestId('practice-next').click()
    await answerShown(true)
    await page.getByTestId('practice-next').click()

    await sleep(200)
    await page.reload()
    await page.getByTestId('practice-progress').waitFor()
    expect(await page.getByTestId('practice-progress').innerText()).toMatch(/3.*5/)
    for (let i = 3; i <= 5; i++) {
      await answerShown(true)
      await page.getByTestId('practice-next').click()
    }
    expect(await page.getByTestId('practice-streak').innerText()).toMatch(/1/)
    await screenshot(page, 'practice-done')
    expect(await axeViolations(page)).toEqual([])

    // After a reload, still offline: done for today, one day in a row, nothing to do twice.
    await page.reload()
    // The page first paints 0 days, then reads the streak from IndexedDB: wait for it.
    await expect.poll(() => page.getByTestId('practice-streak').innerText(), { timeout: 15_000 }).toMatch(/连续练习 1 天/)
    await page.getByTestId('practice-wrong').click()
    expect(await page.locator('[data-question]').getAttribute('data-question')).toBe(wrong)
    expect(await page.getByTestId('wrong-progress').innerText()).toMatch(/1.*1/)

    await page.goto('/quiz')
    const entry = page.getByTestId('practice-entry')
    await entry.getByText('连续练习 1 天').waitFor()
    expect(await entry.innerText()).toContain('今天已完成')
    await screenshot(page, 'practice-quiz-page')
    await page.goto('/')
    await page.getByTestId('practice-entry').getByText('连续练习 1 天').waitFor()
    await screenshot(page, 'practice-home')
  }, 120_000)

  it('shows a question in elder mode with large options and reads it aloud where a Chinese voice exists', async () => {
    const { page } = phone
    // Headless Chromium has no voices: give the page a Chinese one and note what it says.
    await page.addInitScript(() => {
      const spoken: string[] = []
      const voice = { lang: 'zh-CN', name: 'Tingting', default: true, localService: true, voiceURI: 'tingting' }
      Object.defineProperty(window, 'speechSynthesis', {
        value: {
          getVoices: () => [voice],
          speak: (u: { text: string }) => spoken.push(u.text),
          cancel: () => undefined,
          addEventListener: () => undefined,
          removeEventListener: () => undefined,
        },
      })
      // The real utterance refuses a voice that is not the browser's own.
      class Utterance {
        voice: unknown
        lang = ''
        rate = 1
        onend: unknown
        onerror: unknown
        constructor(readonly text: string) {}
      }
      Object.assign(window, { spoken, SpeechSynthesisUtterance: Utterance })
    })
    await page.goto('/me')
    await page.getByTestId('elder-switch').click()
    await page.goto('/quiz/quiz-constitution-basics')
    await page.getByTestId('quiz-progress').waitFor()
    const id = (await page.locator('[data-question]').getAttribute('data-question'))!
    await screenshot(page, 'practice-question-elder')
    await page.getByTestId('quiz-aloud').click()
    const spoken = await page.evaluate(() => (window as unknown as { spoken: string[] }).spoken)
    expect(spoken[0]).toContain(questions.get(id)!.stem.replace(/_{2,}/g, '（空）'))
    // Large options: at least 52 px × 1.25 tall.
    const height = await page.locator('.option, .question__fill').first().evaluate((el) => el.getBoundingClientRect().height)
    expect(height).toBeGreaterThanOrEqual(60)
    expect(await axeViolations(page)).toEqual([])
    await page.goto('/quiz/wrong')
    await page.getByTestId('wrong-progress').waitFor()
    await screenshot(page, 'practice-wrong-elder')
    await page.goto('/me')
    await page.getByTestId('elder-switch').click()
  }, 120_000)

  it('on a shared phone, shows the next person none of it and sends the previous person’s unsent record only under their own name', async () => {
    const { page, context, server } = phone
    type PpsSync = { pending(): Promise<number>; syncNow(): Promise<unknown>; enqueueStudyEvent(p: unknown): Promise<string> }
    const storedEvents = () => {
      const db = new SQLite(server.dbFile, { readonly: true })
      const rows = db.prepare('select p.phone from study_event e join person p on p.id = e.person_id where e.seconds = 77').all() as { phone: string }[]
      db.close()
      return rows.map((r) => r.phone)
    }
    // Still offline: the member leaves one write in the outbox, then signs out.
    await context.addInitScript(() => localStorage.setItem('pps:e2e', '1'))
    await page.goto('/me')
    await page.waitForFunction(() => 'ppsSync' in window)
    await page.evaluate(
      (payload) => (window as unknown as { ppsSync: PpsSync }).ppsSync.enqueueStudyEvent(payload),
      { lessonId: 'member-rights-discipline-01', courseId: 'member-rights-discipline', kind: 'studied', seconds: 77 },
    )
    await page.getByTestId('logout').click()
    expect(await page.locator('.van-dialog__message').innerText()).toMatch(/1 条记录没有上传/)
    await screenshot(page, 'practice-logout-unsent')
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('login-submit').waitFor()

    await goOnline(context)
    await signIn(page, PHONES.leader)
    await page.goto('/quiz')
    await page.getByTestId('practice-entry').getByText('今天还没练').waitFor()
    expect(await page.getByTestId('wrong-book').count()).toBe(0)
    await page.evaluate(() => (window as unknown as { ppsSync: PpsSync }).ppsSync.syncNow())
    expect(await page.evaluate(() => (window as unknown as { ppsSync: PpsSync }).ppsSync.pending())).toBe(1)
    expect(storedEvents()).toEqual([])

    // The leader has nothing unsent: the usual question. The member signs in again: it goes out as theirs.
    await page.goto('/me')
    await page.getByTestId('logout').click()
    expect(await page.locator('.van-dialog__message').innerText()).not.toMatch(/没有上传/)
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('login-submit').waitFor()
    await signIn(page, PHONES.member)
    await expect.poll(storedEvents, { timeout: 20_000 }).toEqual([PHONES.member])
  }, 120_000)
})
