/**
 * 考核 Exam, offline, at 360×640: a secretary sets an exam; the member starts it online (the paper
 * arrives, without answers, and the server's clock starts), then with no network answers it and submits: the attempt is sealed,
 * "已提交，联网后出成绩" shows, and a reload keeps it sealed (the paper does not open again). Back
 * online, the attempt syncs and the server's score appears on the phone.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'
import { api } from './support/accounts.ts'
import { DEMO_PASSWORD, goOffline, goOnline, PHONES, screenshot, usePhone, waitForServiceWorker } from './support/browser.ts'
import { queryServerDb } from './support/serverDb.ts'

const phone = usePhone(PHONES.member)
const SECRETARY = '13800000004'
const QUIZ = 'quiz-exam-constitution-discipline'
const bank = parseContent(CONTENT_DIR).questions.filter((q) => q.exam_only === 1)

/** Answers the question on screen rightly: the test knows the bank; the phone does not. */
async function answerShown(): Promise<void> {
  const page = phone.page
  const id = await page.locator('.question').getAttribute('data-question')
  const q = bank.find((b) => b.id === id)!
  const answer = JSON.parse(q.answer) as string[]
  if (q.type === 'fill') await page.getByTestId('quiz-fill').locator('input').fill(answer[0]!)
  else for (const a of answer) await page.getByTestId(`option-${a}`).click()
}

describe('exam offline', () => {
  it('is taken offline, sealed through a reload, synced and scored by the server', async () => {
    const { page, context, server } = phone
    const { token, profile } = await api<{ token: string; profile: { roles: { role: string; orgUnitId: string }[] } }>(server.url, 'POST', '/v1/auth/login', undefined, {
      phone: SECRETARY,
      password: DEMO_PASSWORD,
      deviceName: 'office',
    })
    const orgUnitId = profile.roles.find((r) => r.role === 'secretary')!.orgUnitId
    const exam = await api<{ id: string }>(server.url, 'POST', '/v1/exams', token, {
      orgUnitId,
      quizId: QUIZ,
      opensAt: Date.now() - 60_000,
      closesAt: Date.now() + 3_600_000,
      timeLimitMinutes: 20,
      questionCount: 4,
    })

    await waitForServiceWorker(page)
    await page.getByTestId('tab-quiz').click()
    await page.getByTestId('exams-entry').click()
    await page.getByTestId(`exam-${exam.id}`).click()
    await page.getByTestId('exam-start').waitFor()
    // Starting is online: the server hands out the paper and its clock starts.
    await page.getByTestId('exam-start').click()
    await page.getByTestId('exam-progress').waitFor()

    await goOffline(context)
    await screenshot(page, 'exam-question')
    for (let i = 0; i < 4; i++) {
      await answerShown()
      if (i < 3) await page.getByTestId('exam-next').click()
    }
    await page.getByTestId('exam-submit').click()
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('exam-sealed').waitFor()
    expect(await page.getByTestId('exam-state').innerText()).toContain('已提交，联网后出成绩')
    await screenshot(page, 'exam-sealed')

    await sleep(200)
    await page.reload()
    await page.getByTestId('exam-sealed').waitFor()
    expect(await page.getByTestId('exam-start').count()).toBe(0)
    // The paper's own address leads back: a sealed attempt never opens for edits.
    await page.goto(new URL(`/exams/${exam.id}/take`, page.url()).href)
    await page.getByTestId('exam-sealed').waitFor()

    await goOnline(context)
    await page.getByTestId('exam-score').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('exam-score').innerText()).toMatch(/100/)
    const rows = queryServerDb<{ score: number; attempt_no: number }>(server.dbFile, 'select score, attempt_no from exam_attempt where exam_id = ?', exam.id)
    expect(rows).toEqual([{ score: 100, attempt_no: 1 }])
    await screenshot(page, 'exam-scored')
  }, 120_000)
})
