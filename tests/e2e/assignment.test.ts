/**
 * Assignments end to end: a secretary (desktop browser) assigns a quiz to the flowing members of
 * the branch; a flowing member's phone shows it offline with its due date and a reminder; the
 * member takes it offline through a reload and fails; the phone flags retraining with the
 * lessons to study again; back online the server holds the attempt once with the same score,
 * and the secretary's leaders' list shows the member flagged.
 */
import type { Page } from 'playwright-core'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'
import { axeViolations } from './support/axe.ts'
import { dateInputInDays as inDays, queryServerDb as query } from './support/serverDb.ts'
import { goOffline, goOnline, newPhone, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const FLOWING_MEMBER = '13800000002'
const SECRETARY = '13800000004'
const QUIZ = 'quiz-constitution-basics'

const phone = usePhone(FLOWING_MEMBER)
const content = parseContent(CONTENT_DIR)
// Exam quizzes never reach a phone (they are set through 考核管理): the picker lists practice quizzes.
const practiceQuizzes = content.quizzes.filter((q) => q.exam_only !== 1)
const quiz = practiceQuizzes.find((q) => q.id === QUIZ)!
const questions = (JSON.parse(quiz.selection) as { fixed: string[] }).fixed.map((id) => content.questions.find((q) => q.id === id)!)

/** Answers the question on screen wrongly (the member did not study): the attempt fails. */
async function answerWrong(page: Page): Promise<void> {
  const n = Number(/(\d+)/.exec(await page.getByTestId('quiz-progress').innerText())![1])
  const q = questions[n - 1]!
  const answer = JSON.parse(q.answer) as string[]
  if (q.type === 'fill') await page.getByTestId('quiz-fill').locator('input').fill('不知道')
  else if (q.type === 'truefalse') await page.getByTestId(`option-${answer[0] === 'true' ? 'false' : 'true'}`).click()
  else {
    const letters = (JSON.parse(q.options) as string[]).map((_, i) => String.fromCharCode(65 + i))
    await page.getByTestId(`option-${letters.find((l) => !answer.includes(l))}`).click()
  }
}


describe('assignments', () => {
  it('secretary assigns a quiz to flowing members; the member fails it offline and is flagged for retraining', async () => {
    const { page, context, server, browser } = phone
    await waitForServiceWorker(page)

    // The secretary, at a desk.
    const desk = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    const sec = await desk.newPage()
    await signIn(sec, SECRETARY)
    await sec.goto('/manage')
    await sec.getByTestId('manage-assignments').click()
    await sec.getByTestId('assignment-form').waitFor()
    await sec.getByTestId('pick-content').click()
    // The desk's first pull may still be filling the list: pick once every quiz is there.
    await expect.poll(() => sec.locator('.van-action-sheet__item').count(), { timeout: 30_000 }).toBe(practiceQuizzes.length)
    // By title, not in the order the pull stored them, so a row stays put while the list fills.
    const byTitle = practiceQuizzes.map((q) => q.title).sort((a, b) => a.localeCompare(b, 'zh-CN'))
    expect(await sec.locator('.van-action-sheet__item').allInnerTexts()).toEqual(byTitle)
    await sec.locator('.van-action-sheet__item', { hasText: quiz.title }).click()
    await expect.poll(() => sec.getByTestId('pick-content').innerText()).toContain(quiz.title)
    await sec.getByTestId('who-group').click()
    await sec.getByTestId('group-flowing').click()
    await sec.getByTestId('due-date').locator('input').fill(inDays(2))
    await sec.getByTestId('assign-submit').click()
    await sec.getByTestId('assignment-list').getByText(quiz.title).waitFor()
    await sec.locator('.van-toast').waitFor({ state: 'hidden' })
    await screenshot(sec, 'assignment-secretary-desktop')
    expect(await axeViolations(sec)).toEqual([])
    const [assignment] = query<{ id: string; due_at: number }>(server.dbFile, 'select id, due_at from assignment where quiz_id = ?', QUIZ)
    expect(assignment).toBeTruthy()

    // The member's phone pulls it, then works with no network at all.
    await page.goto('/quiz')
    await page.getByTestId(`assigned-quiz-${QUIZ}`).waitFor({ timeout: 30_000 })
    await goOffline(context)
    await page.reload()
    const card = page.getByTestId(`assigned-quiz-${QUIZ}`)
    await card.waitFor()
    const due = new Date(assignment!.due_at)
    expect(await card.getByTestId('assigned-due').innerText()).toContain(`${due.getMonth() + 1}/${due.getDate()}`)
    await screenshot(page, 'assignment-member-quizzes')
    expect(await axeViolations(page)).toEqual([])
    await page.goto('/')
    await page.getByTestId('reminder-soon').waitFor()
    expect(await page.getByTestId('reminder-soon').innerText()).toContain(quiz.title)
    await screenshot(page, 'assignment-member-home')

    // Take it offline, reload half-way, finish.
    await page.goto('/quiz')
    await card.locator('a').first().click()
    await page.getByTestId('quiz-progress').waitFor()
    for (let i = 0; i < 5; i++) {
      await answerWrong(page)
      await page.getByTestId('quiz-next').click()
    }
    await sleep(200) // the last save is an IndexedDB write
    await page.reload()
    await page.getByTestId('quiz-progress').waitFor()
    expect(await page.getByTestId('quiz-progress').innerText()).toMatch(/6.*10/)
    for (let i = 5; i < 10; i++) {
      await answerWrong(page)
      if (i < 9) await page.getByTestId('quiz-next').click()
    }
    await page.getByTestId('quiz-submit').click()
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('quiz-score').waitFor()
    expect(await page.getByTestId('quiz-score').innerText()).toMatch(/\b0\b/)

    // Still offline: flagged for retraining, with the lessons behind the wrong answers.
    await page.goto('/quiz')
    await card.getByTestId('retraining-tag').waitFor()
    const again = card.getByTestId('study-again').locator('a')
    expect(await again.count()).toBeGreaterThan(0)
    expect(await again.first().getAttribute('href')).toMatch(/^\/(study\/lesson|pocket\/entry)\//)
    await screenshot(page, 'assignment-member-retraining')

    // Online: the server holds the attempt once, with the same score.
    await goOnline(context)
    let rows: { score: number; passed: number; client_score: number }[] = []
    for (let i = 0; i < 60 && rows.length === 0; i++) {
      await sleep(500)
      rows = query(server.dbFile, 'select score, passed, client_score from quiz_attempt where quiz_id = ?', QUIZ)
    }
    expect(rows).toEqual([{ score: 0, passed: 0, client_score: 0 }])

    // The leaders' list shows the member flagged for retraining.
    const [member] = query<{ id: string; name: string }>(server.dbFile, 'select id, name from person where phone = ?', FLOWING_MEMBER)
    await sec.getByTestId(`results-${assignment!.id}`).click()
    const row = sec.getByTestId(`result-${member!.id}`)
    await row.waitFor()
    expect(await row.innerText()).toContain('需复训')
    expect(await sec.getByTestId('pass-rate').innerText()).toBe('0%')
    await screenshot(sec, 'assignment-results-desktop')
    expect(await axeViolations(sec)).toEqual([])

    // The secretary's screens on a phone too.
    const secPhone = await (await newPhone(browser, server.url)).newPage()
    await signIn(secPhone, SECRETARY)
    await secPhone.goto('/manage/assignments')
    await secPhone.getByTestId('assignment-list').waitFor()
    await screenshot(secPhone, 'assignment-secretary-phone', { andBottom: true })
    await secPhone.goto(`/manage/assignments/${assignment!.id}/results`)
    await secPhone.getByTestId(`result-${member!.id}`).waitFor()
    await screenshot(secPhone, 'assignment-results-phone')

    // Elder mode on the member's screens.
    await page.goto('/me')
    await page.getByTestId('elder-switch').click()
    await page.goto('/quiz')
    await card.getByTestId('retraining-tag').waitFor()
    await screenshot(page, 'assignment-member-retraining-elder')
    await page.goto('/')
    await screenshot(page, 'assignment-member-home-elder')
    await page.goto('/me')
    await page.getByTestId('elder-switch').click()
    await desk.close()
  }, 180_000)

  it('secretary assigns a course to a party group; the member completes it offline; the leaders\' list shows completion', async () => {
    const { page, context, server, browser } = phone
    const COURSE = 'rural-safety'
    const course = content.courses.find((c) => c.id === COURSE)!
    const lessons = content.lessons.filter((l) => l.course_id === COURSE)
    await waitForServiceWorker(page)

    const desk = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    const sec = await desk.newPage()
    await signIn(sec, SECRETARY)
    await sec.goto('/manage/assignments')
    await sec.getByTestId('kind-course').click()
    await sec.getByTestId('pick-content').click()
    // The desk's first pull may still be filling the list: pick once every course is there.
    await expect.poll(() => sec.locator('.van-action-sheet__item').count(), { timeout: 30_000 }).toBe(content.courses.length)
    await sec.locator('.van-action-sheet__item', { hasText: course.title }).click()
    await expect.poll(() => sec.getByTestId('pick-content').innerText()).toContain(course.title)
    await sec.getByTestId('pick-unit').click()
    await sec.locator('.van-action-sheet__item', { hasText: '第一党小组' }).click()
    await sec.getByTestId('due-date').locator('input').fill(inDays(5))
    await sec.getByTestId('assign-submit').click()
    await sec.getByTestId('assignment-list').getByText(course.title).first().waitFor()
    const [assignment] = query<{ id: string }>(server.dbFile, 'select id from assignment where course_id = ? and created_by is not null', COURSE)

    // The member's study page lists it among the assigned courses; then every lesson is completed offline.
    await page.goto('/study')
    await page.getByTestId(`course-${COURSE}`).first().waitFor({ timeout: 30_000 })
    await goOffline(context)
    for (const l of lessons) {
      await page.goto(`/study/lesson/${l.id}`)
      await page.getByTestId('lesson-complete').click()
      await expect.poll(() => page.getByTestId('lesson-complete').isDisabled()).toBe(true)
    }
    await goOnline(context)
    const [member] = query<{ id: string }>(server.dbFile, 'select id from person where phone = ?', FLOWING_MEMBER)
    let done = 0
    for (let i = 0; i < 60 && done < lessons.length; i++) {
      await sleep(500)
      done = query<{ n: number }>(server.dbFile, "select count(distinct lesson_id) as n from study_event where person_id = ? and course_id = ? and kind = 'completed'", member!.id, COURSE)[0]!.n
    }
    expect(done).toBe(lessons.length)

    await sec.getByTestId(`results-${assignment!.id}`).click()
    const row = sec.getByTestId(`result-${member!.id}`)
    await row.waitFor()
    expect(await row.innerText()).toContain(`${lessons.length} / ${lessons.length}`)
    expect(await row.innerText()).toContain('已学完')
    expect(await sec.getByTestId('results-summary').innerText()).toMatch(/已学完\s*1/)
    await screenshot(sec, 'assignment-course-results-desktop')
    await desk.close()
  }, 180_000)
})
