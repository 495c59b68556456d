/**
 * 我的 (Me): the language switch and elder mode change the whole app at once and are still
 * there after a reload, because they are read before the first paint.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { launchBrowser, newPhone, PHONES, screenshot, signIn } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  context = await newPhone(browser, server.url)
  page = await context.newPage()
  await signIn(page, PHONES.leader)
})
afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

const MIN_TAP_PX = 48

async function fontSize(locator: Locator): Promise<number> {
  return locator.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
}

/** Heights of every visible element matching the selector, labelled for a readable failure. */
async function heights(selector: string): Promise<{ what: string; height: number }[]> {
  return page.locator(selector).evaluateAll((els) =>
    els
      .filter((el) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed')
      .map((el) => ({ what: (el as HTMLElement).innerText.trim().split('\n')[0] || el.className, height: el.getBoundingClientRect().height })),
  )
}

async function tapTargetsBelow(min: number): Promise<{ what: string; height: number }[]> {
  const all = [...(await heights('.van-tabbar-item')), ...(await heights('.van-cell')), ...(await heights('.van-button'))]
  expect(all.length).toBeGreaterThan(0)
  return all.filter((t) => t.height < min - 0.5)
}

async function openMe(): Promise<void> {
  await page.getByTestId('tab-me').click()
  await page.getByTestId('me-card').waitFor()
}

async function openHome(): Promise<void> {
  await page.getByTestId('tab-home').click()
  await page.getByTestId('home-greeting').waitFor()
}

/** Tab labels that wrap onto a second line (and then spill out of the tab bar). */
async function wrappedTabLabels(): Promise<string[]> {
  return page.locator('.van-tabbar-item__text').evaluateAll((els) =>
    els
      .filter((el) => {
        const range = document.createRange()
        range.selectNodeContents(el)
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1
      })
      .map((el) => (el as HTMLElement).innerText),
  )
}

async function tabLabels(): Promise<string[]> {
  return (await page.locator('.van-tabbar-item__text').allInnerTexts()).map((l) => l.trim())
}

describe('language', () => {
  it('switches the UI to English and keeps it after a reload', async () => {
    await openMe()
    await page.getByTestId('locale-en').click()
    await expect.poll(tabLabels).toEqual(['Home', 'Study', 'Pocket', 'Quiz', 'Check-in', 'Me'])
    expect(await page.locator('.van-nav-bar__title').innerText()).toBe('Me')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    await screenshot(page, 'me-english', { andBottom: true })

    await page.reload()
    await page.getByTestId('me-card').waitFor()
    expect(await tabLabels()).toEqual(['Home', 'Study', 'Pocket', 'Quiz', 'Check-in', 'Me'])
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    expect(await page.getByText('Elder mode', { exact: true }).count()).toBe(1)
    expect(await axeViolations(page), 'axe on Me in English').toEqual([])
    expect(await wrappedTabLabels(), 'English tab labels on one line').toEqual([])
    await page.getByTestId('elder-switch').click()
    expect(await wrappedTabLabels(), 'English tab labels on one line in elder mode').toEqual([])
    await screenshot(page, 'me-english-elder')
    await page.getByTestId('elder-switch').click()

    await page.getByTestId('locale-zh-CN').click()
    await expect.poll(tabLabels).toEqual(['首页', '学习', '口袋书', '测试', '签到', '我的'])
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
  })
})

describe('elder mode', () => {
  it('makes text at least 1.25× larger and every tap target at least 48 px tall, and keeps it after a reload', async () => {
    await openMe()
    await page.getByTestId('locale-zh-CN').click()
    await openHome()
    await screenshot(page, 'home-normal')
    await openMe()
    await screenshot(page, 'me-normal', { andBottom: true })
    const cellTitle = page.getByTestId('locale-en').locator('.van-cell__title')
    const tabLabel = page.getByTestId('tab-me').locator('.van-tabbar-item__text')
    const before = { cell: await fontSize(cellTitle), tab: await fontSize(tabLabel) }

    await page.getByTestId('elder-switch').click()
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true)
    expect(await page.getByTestId('elder-switch').getAttribute('aria-checked')).toBe('true')
    const after = { cell: await fontSize(cellTitle), tab: await fontSize(tabLabel) }
    expect(after.cell / before.cell).toBeGreaterThanOrEqual(1.25)
    expect(after.tab / before.tab).toBeGreaterThanOrEqual(1.25)
    expect(await wrappedTabLabels(), 'tab labels on one line').toEqual([])
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on 我的').toEqual([])
    await screenshot(page, 'me-elder', { andBottom: true })
    expect(await axeViolations(page), 'axe on 我的 in elder mode').toEqual([])

    await page.reload()
    await page.getByTestId('me-card').waitFor()
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true)
    expect(await page.getByTestId('elder-switch').getAttribute('aria-checked')).toBe('true')
    expect(await fontSize(cellTitle)).toBe(after.cell)
    expect(await fontSize(tabLabel)).toBe(after.tab)
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on 我的 after reload').toEqual([])

    await openHome()
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on home').toEqual([])
    await screenshot(page, 'home-elder')
    expect(await axeViolations(page), 'axe on home in elder mode').toEqual([])

    // And back: the switch turns it off again.
    await openMe()
    await page.getByTestId('elder-switch').click()
    expect(await fontSize(cellTitle)).toBe(before.cell)
  })
})
