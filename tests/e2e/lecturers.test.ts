/**
 * 师资库 lecturer invitations across two people: the secretary of 桃园村党支部 on a desktop browser
 * (1280×800) invites 柳溪镇's lecturer for two meetings; the township supervisor, on a 360×640
 * phone, sees them waiting, accepts one with a reply and declines the other; the secretary sees
 * both answers, and the audit log holds the invitations and the answers. Then the screens on the
 * phone in normal and elder mode.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { newPhone, PHONES, screenshot, signIn, usePhone } from './support/browser.ts'

const SECRETARY = '13800000004'
const LECTURER = '钱国平'
const ACCEPT_REPLY = '已与钱老师约好，请提前一天联系'
const DECLINE_REPLY = '钱老师当天另有安排，可另约时间'

const session = usePhone()

/** The value a datetime-local input takes, `days` from now at 14:30 local time. */
function meetingTime(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T14:30`
}

async function expectAccessible(page: Page): Promise<void> {
  // Colours halfway through a dialog's fade-in are not the colours a person reads.
  await page.waitForFunction(() => !document.querySelector('[class*="-enter-active"]'))
  expect(await axeViolations(page)).toEqual([])
}

describe('lecturer invitations 师资库', () => {
  let desk: BrowserContext
  let secretary: Page
  let supervisor: Page

  /** Fills the invitation form for the township lecturer and sends it. */
  async function invite(when: string, note: string): Promise<void> {
    await secretary.getByRole('tab', { name: '讲师' }).click()
    await secretary.getByTestId('lecturer-row').filter({ hasText: LECTURER }).getByTestId('lecturer-request').click()
    await secretary.getByText(`邀请${LECTURER}讲课`).waitFor()
    // The topic starts as the lecturer's first one, so a quick invitation needs only a time.
    expect(await secretary.getByTestId('request-topic').locator('input').inputValue()).toBe('基层党建')
    await secretary.getByTestId('request-when').locator('input').fill(when)
    await secretary.getByRole('textbox', { name: '备注' }).fill(note)
    await secretary.getByTestId('request-send').click()
    await secretary.getByTestId('lecturer-request-row').filter({ hasText: note }).waitFor()
    // Vant's toast is an unnamed dialog to axe (app-wide); check the screen once it has gone.
    await secretary.getByText('邀请已发送').waitFor({ state: 'hidden' })
  }

  it('lets a branch secretary invite the township lecturer from 我的 → 组织管理 → 师资库', async () => {
    desk = await session.browser.newContext({ baseURL: session.server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(15_000)
    secretary = await desk.newPage()
    secretary.on('pageerror', (e) => console.error('page error:', e.message))
    await signIn(secretary, SECRETARY)
    await secretary.goto('/me')
    await secretary.getByTestId('me-manage').click()
    await secretary.getByTestId('manage-lecturers').click()
    await secretary.getByTestId('lecturer-row').filter({ hasText: LECTURER }).waitFor()
    // A branch only invites; keeping the pool is the supervisors' job.
    expect(await secretary.getByTestId('lecturer-add').count()).toBe(0)

    // A time in the past is refused before anything is sent.
    await secretary.getByTestId('lecturer-row').filter({ hasText: LECTURER }).getByTestId('lecturer-request').click()
    await secretary.getByTestId('request-when').locator('input').fill(meetingTime(-30))
    await secretary.getByTestId('request-send').click()
    await secretary.getByText('请选择今后的时间').waitFor()
    await expectAccessible(secretary)
    await screenshot(secretary, 'lecturers-request-form-desktop')
    await secretary.getByRole('dialog', { name: `邀请${LECTURER}讲课` }).getByRole('button', { name: '取消' }).click()

    await invite(meetingTime(14), '七一党课，全体党员参加')
    await invite(meetingTime(21), '主题党日')
    const rows = secretary.getByTestId('lecturer-request-row')
    await expect.poll(() => rows.count()).toBe(2)
    for (const text of await rows.allInnerTexts()) {
      expect(text).toContain(`${LECTURER} · 基层党建`)
      expect(text).toContain('待答复')
    }
    await expectAccessible(secretary)
    await screenshot(secretary, 'lecturers-outgoing-desktop')
  })

  it('shows the supervisor the open invitations on a phone, to accept one with a reply and decline the other', async () => {
    supervisor = await session.context.newPage()
    await signIn(supervisor, PHONES.supervisor)
    await supervisor.goto('/manage/lecturers')
    // The tab tells the supervisor two invitations wait for an answer.
    const incoming = supervisor.getByRole('tab', { name: /收到的邀请/ })
    await expect.poll(() => incoming.innerText()).toContain('2')
    await incoming.click()
    const row = (note: string) => supervisor.getByTestId('lecturer-request-row').filter({ hasText: note })
    await row('七一党课').waitFor()
    expect(await row('七一党课').innerText()).toContain('桃园村党支部')
    await expectAccessible(supervisor)
    await screenshot(supervisor, 'lecturers-incoming-phone')

    await row('七一党课').getByTestId('request-accept').click()
    const dialog = supervisor.getByRole('dialog')
    await dialog.getByTestId('answer-text').locator('textarea').fill(ACCEPT_REPLY)
    await expectAccessible(supervisor)
    await screenshot(supervisor, 'lecturers-answer-phone')
    await dialog.getByRole('button', { name: '同意' }).click()
    await row('七一党课').getByText('已同意').waitFor()
    expect(await row('七一党课').innerText()).toContain(`答复：${ACCEPT_REPLY}`)
    expect(await row('七一党课').getByTestId('request-accept').count()).toBe(0)

    // Cancelling the dialog sends nothing: the invitation still waits.
    await row('主题党日').getByTestId('request-decline').click()
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await row('主题党日').innerText()).toContain('待答复')

    await row('主题党日').getByTestId('request-decline').click()
    await dialog.getByTestId('answer-text').locator('textarea').fill(DECLINE_REPLY)
    await dialog.getByRole('button', { name: '婉拒' }).click()
    await row('主题党日').getByText('已婉拒').waitFor()
    await expect.poll(() => incoming.innerText()).not.toMatch(/\d/)
  })

  it('shows the secretary both answers with the replies', async () => {
    await secretary.reload()
    await secretary.getByRole('tab', { name: '我的邀请' }).click()
    const row = (note: string) => secretary.getByTestId('lecturer-request-row').filter({ hasText: note })
    await row('七一党课').getByText('已同意').waitFor()
    expect(await row('七一党课').innerText()).toContain(`答复：${ACCEPT_REPLY}`)
    expect(await row('主题党日').innerText()).toContain('已婉拒')
    expect(await row('主题党日').innerText()).toContain(`答复：${DECLINE_REPLY}`)
    await expectAccessible(secretary)
    await screenshot(secretary, 'lecturers-answered-desktop')
  })

  it('records the invitations and the answers in the supervisor’s audit log', async () => {
    await supervisor.goto('/manage/audit')
    await supervisor.getByTestId('audit-row').first().waitFor()
    const texts = await supervisor.getByTestId('audit-row').allInnerTexts()
    const about = (action: string) => texts.filter((t) => t.includes(action) && t.includes(LECTURER))
    expect(about('邀请讲师')).toHaveLength(2)
    expect(about('邀请讲师')[0]).toContain('唐小平')
    expect(about('同意邀请')).toHaveLength(1)
    expect(about('婉拒邀请')).toHaveLength(1)
  })

  it('fits a 360×640 phone, in normal and elder mode', async () => {
    const phone = await newPhone(session.browser, session.server.url)
    const small = await phone.newPage()
    await signIn(small, SECRETARY)
    for (const elder of [false, true]) {
      const suffix = elder ? '-elder' : ''
      for (const page of [small, supervisor]) await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), elder)
      await supervisor.goto('/manage/lecturers')
      await supervisor.getByTestId('lecturer-row').first().waitFor()
      await screenshot(supervisor, `lecturers-pool-phone${suffix}`)
      await supervisor.getByRole('tab', { name: /收到的邀请/ }).click()
      await supervisor.getByTestId('request-answer').first().waitFor()
      await expectAccessible(supervisor)
      await screenshot(supervisor, `lecturers-incoming-answered-phone${suffix}`)

      await small.goto('/manage/lecturers')
      await small.getByRole('tab', { name: '我的邀请' }).click()
      await small.getByTestId('request-answer').first().waitFor()
      await expectAccessible(small)
      await screenshot(small, `lecturers-outgoing-phone${suffix}`)
      await small.getByRole('tab', { name: '讲师' }).click()
      await small.getByTestId('lecturer-request').first().click()
      await small.getByTestId('request-send').waitFor()
      await expectAccessible(small)
      await screenshot(small, `lecturers-request-form-phone${suffix}`)
    }
    await phone.close()
    await desk.close()
  })
})
