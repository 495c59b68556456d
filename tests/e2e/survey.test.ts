/**
 * 需求调研 Training-needs survey at 360×640: a secretary sends an anonymous survey; the member
 * opens it online, then with no network answers and submits it ("已提交，联网后上传"), reloads
 * (still waiting), and back online it syncs once. The secretary's results screen shows the
 * answer counted, figures under 5 people hidden, and the response rate. Normal and elder mode.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { api } from './support/accounts.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, newPhone, PHONES, screenshot, signIn, usePhone, waitForServiceWorker, DEMO_PASSWORD } from './support/browser.ts'
import { queryServerDb } from './support/serverDb.ts'

const phone = usePhone(PHONES.member)
const SECRETARY = '13800000004'

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('survey offline', () => {
  it('is answered offline, kept through a reload, synced once, and counted on the secretary’s screen', async () => {
    const { page, context, server, browser } = phone
    const { token, profile } = await api<{ token: string; profile: { roles: { role: string; orgUnitId: string }[] } }>(server.url, 'POST', '/v1/auth/login', undefined, {
      phone: SECRETARY,
      password: DEMO_PASSWORD,
      deviceName: 'office',
    })
    const survey = await api<{ id: string }>(server.url, 'POST', '/v1/surveys', token, {
      orgUnitId: profile.roles.find((r) => r.role === 'secretary')!.orgUnitId,
      title: '明年培训需求调研',
      anonymous: true,
      opensAt: Date.now() - 60_000,
      closesAt: Date.now() + 3_600_000,
      questions: [
        { type: 'single', text: '最想学哪方面？', options: ['党史', '政策法规', '农业技术'] },
        { type: 'multiple', text: '方便的学习方式', options: ['集中培训', '手机学习', '田间课堂'] },
        { type: 'rating', text: '对去年培训的满意度' },
        { type: 'text', text: '其他建议' },
      ],
    })

    await waitForServiceWorker(page)
    await page.getByTestId('tab-quiz').click()
    await page.getByTestId('surveys-entry').click()
    await page.getByTestId(`survey-${survey.id}`).click()
    await page.getByTestId('survey-question-q1').waitFor()

    await goOffline(context)
    await page.getByTestId('survey-q1-C').click()
    await page.getByTestId('survey-q2-B').click()
    await page.getByTestId('survey-q2-C').click()
    await page.getByTestId('survey-q3-rate-4').click()
    await page.getByTestId('survey-q4-text').locator('textarea').fill('希望多讲电商和养殖技术')
    await page.getByTestId('survey-submit').click()
    await expect.poll(() => page.getByTestId('survey-state').innerText()).toBe('已提交，联网后上传')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'survey-answered-offline')

    await page.reload()
    await expect.poll(() => page.getByTestId('survey-state').innerText()).toBe('已提交，联网后上传')
    expect(await page.getByTestId('survey-q1-C').getAttribute('aria-checked')).toBe('true')
    await setElder(page, true)
    await page.getByTestId('survey-question-q1').waitFor()
    await screenshot(page, 'survey-answered-offline-elder')
    await setElder(page, false)

    await goOnline(context)
    await expect.poll(() => page.getByTestId('survey-state').innerText(), { timeout: 30_000 }).toBe('已提交')
    const sent = queryServerDb<{ n: number }>(server.dbFile, "select count(*) as n from applied_record where kind = 'survey_answer'")
    expect(sent).toEqual([{ n: 1 }])
    const items = queryServerDb<{ question_id: string; value: string | null }>(server.dbFile, 'select question_id, value from survey_answer_item where survey_id = ? order by question_id, value', survey.id)
    expect(items).toEqual([
      { question_id: 'q1', value: 'C' },
      { question_id: 'q2', value: 'B' },
      { question_id: 'q2', value: 'C' },
      { question_id: 'q3', value: '4' },
      { question_id: 'q4', value: null },
    ])

    // The secretary's phone: one answer in an anonymous survey shows no figure, the texts no name.
    const office = await newPhone(browser, server.url)
    const desk = await office.newPage()
    await signIn(desk, SECRETARY)
    await desk.goto(`/manage/surveys/${survey.id}`)
    await desk.getByTestId('survey-summary').waitFor()
    expect(await desk.getByTestId('survey-summary').innerText()).toContain('应答 1 人 / 应填 36 人')
    expect(await desk.getByTestId('result-q1').innerText()).toContain('少于5人，不显示')
    expect(await desk.getByTestId('result-q4').innerText()).toContain('希望多讲电商和养殖技术')
    expect(await axeViolations(desk)).toEqual([])
    await screenshot(desk, 'survey-results')
    await setElder(desk, true)
    await desk.getByTestId('survey-summary').waitFor()
    await screenshot(desk, 'survey-results-elder')
    await setElder(desk, false)
    await desk.goto('/manage/surveys')
    await desk.getByTestId(`survey-admin-${survey.id}`).waitFor()
    expect(await axeViolations(desk)).toEqual([])
    await screenshot(desk, 'survey-admin')
    await office.close()
  }, 120_000)
})
