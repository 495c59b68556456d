/**
 * A flowing member's record card 一卡 on two phones: the member records organisational life
 * attended away from home while offline (it shows at once, waiting), comes back online (it
 * uploads and shows as pending), the home group leader confirms it from the attendance page, and
 * the member's phone then shows it confirmed and counted in "my attendance".
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

const FLOWING_PHONE = '13800000002'

let server: E2eServer
let browser: Browser
let memberCtx: BrowserContext
let leaderCtx: BrowserContext
let member: Page
let leader: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  memberCtx = await newPhone(browser, server.url)
  leaderCtx = await newPhone(browser, server.url)
  member = await memberCtx.newPage()
  leader = await leaderCtx.newPage()
  for (const [who, page] of [['member', member], ['leader', leader]] as const) {
    page.on('pageerror', (e) => console.error(`${who} page error:`, e.message))
  }
}, 120_000)
afterAll(async () => {
  await memberCtx?.close()
  await leaderCtx?.close()
  await browser?.close()
  await server?.stop()
})

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('flowing member’s record card', () => {
  it('records offline, uploads when online, and shows confirmed after the leader confirms', async () => {
    await signIn(member, FLOWING_PHONE)
    await waitForServiceWorker(member)
    await member.goto('/attendance')
    await member.getByTestId('attendance-flowing').click()
    await member.getByTestId('flowing-place').waitFor()

    await goOffline(memberCtx)
    await member.getByTestId('flowing-place').locator('input').fill('深圳市龙岗区某工业园')
    await member.getByTestId('flowing-organisation').locator('input').fill('园区流动党员党支部')
    await member.getByTestId('flowing-content').locator('textarea').fill('参加主题党日，学习党章第一章')
    await screenshot(member, 'flowing-form')
    await member.getByTestId('flowing-submit').click()
    await member.getByTestId('flowing-saved').waitFor()
    const row = member.getByTestId('flowing-row').first()
    await expect.poll(() => row.getByTestId('flowing-status').innerText()).toBe('待上传')
    await screenshot(member, 'flowing-form-saved', { andBottom: true })

    await goOnline(memberCtx)
    await member.evaluate(() => window.dispatchEvent(new Event('online')))
    await expect.poll(() => row.getByTestId('flowing-status').innerText(), { timeout: 20_000 }).toBe('待确认')
    await setElder(member, true)
    await member.getByTestId('flowing-row').first().waitFor()
    await screenshot(member, 'flowing-form-elder', { andBottom: true })
    await setElder(member, false)

    await signIn(leader, PHONES.leader)
    await leader.goto('/attendance')
    const review = leader.getByTestId('flowing-review-row').first()
    await review.waitFor()
    expect(await review.innerText()).toContain('园区流动党员党支部')
    await screenshot(leader, 'flowing-review')
    await setElder(leader, true)
    await leader.getByTestId('flowing-review-row').first().waitFor()
    await screenshot(leader, 'flowing-review-elder')
    await setElder(leader, false)
    await leader.getByTestId('flowing-review-row').first().getByTestId('flowing-confirm').click()
    await expect.poll(() => leader.getByTestId('flowing-review-row').count()).toBe(0)

    // The leader's review reaches the server; the member's phone reads the card again.
    await expect
      .poll(
        async () => {
          await member.reload()
          await member.getByTestId('flowing-row').first().waitFor()
          return member.getByTestId('flowing-row').first().getByTestId('flowing-status').innerText()
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('已确认')
    await member.goto('/attendance')
    await member.getByTestId('my-attendance-flowing').first().waitFor()
    await screenshot(member, 'flowing-member-attendance', { andBottom: true })
  }, 120_000)
})
