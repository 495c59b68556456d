/**
 * 我的 (Me): the language switch and elder mode change the whole app at once and are still
 * there after a reload, because they are read before the first paint.
 */
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { newPhone, PHONES, screenshot, signIn, usePhone } from './support/browser.ts'

const phone = usePhone(PHONES.leader)

const MIN_TAP_PX = 48

async function fontSize(locator: Locator): Promise<number> {
  return locator.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
}

/** Heights of every visible element matching the selector, labelled for a readable failure. */
async function heights(selector: string): Promise<{ what: string; height: number }[]> {
  return phone.page.locator(selector).evaluateAll((els) =>
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
  await phone.page.getByTestId('tab-me').click()
  await phone.page.getByTestId('me-card').waitFor()
}

async function openHome(): Promise<void> {
  await phone.page.getByTestId('tab-home').click()
  await phone.page.getByTestId('home-greeting').waitFor()
}

/** Tab labels that wrap onto a second line (and then spill out of the tab bar). */
async function wrappedTabLabels(): Promise<string[]> {
  return phone.page.locator('.van-tabbar-item__text').evaluateAll((els) =>
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
  return (await phone.page.locator('.van-tabbar-item__text').allInnerTexts()).map((l) => l.trim())
}

describe('language', () => {
  it('switches the UI to English and keeps it after a reload', async () => {
    await openMe()
    await phone.page.getByTestId('locale-en').click()
    await expect.poll(tabLabels).toEqual(['Home', 'Study', 'Pocket', 'Quiz', 'Check-in', 'Me'])
    expect(await phone.page.locator('.van-nav-bar__title').innerText()).toBe('Me')
    expect(await phone.page.evaluate(() => document.documentElement.lang)).toBe('en')
    await screenshot(phone.page, 'me-english', { andBottom: true })

    await phone.page.reload()
    await phone.page.getByTestId('me-card').waitFor()
    expect(await tabLabels()).toEqual(['Home', 'Study', 'Pocket', 'Quiz', 'Check-in', 'Me'])
    expect(await phone.page.evaluate(() => document.documentElement.lang)).toBe('en')
    expect(await phone.page.getByText('Elder mode', { exact: true }).count()).toBe(1)
    expect(await axeViolations(phone.page), 'axe on Me in English').toEqual([])
    expect(await wrappedTabLabels(), 'English tab labels on one line').toEqual([])
    await phone.page.getByTestId('elder-switch').click()
    expect(await wrappedTabLabels(), 'English tab labels on one line in elder mode').toEqual([])
    await screenshot(phone.page, 'me-english-elder')
    await phone.page.getByTestId('elder-switch').click()

    await phone.page.getByTestId('locale-zh-CN').click()
    await expect.poll(tabLabels).toEqual(['首页', '学习', '口袋书', '测试', '签到', '我的'])
    expect(await phone.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
  })
})

describe('elder mode', () => {
  it('makes text at least 1.25× larger and every tap target at least 48 px tall, and keeps it after a reload', async () => {
    await openMe()
    await phone.page.getByTestId('locale-zh-CN').click()
    await openHome()
    await screenshot(phone.page, 'home-normal')
    await openMe()
    await screenshot(phone.page, 'me-normal', { andBottom: true })
    const cellTitle = phone.page.getByTestId('locale-en').locator('.van-cell__title')
    const tabLabel = phone.page.getByTestId('tab-me').locator('.van-tabbar-item__text')
    const before = { cell: await fontSize(cellTitle), tab: await fontSize(tabLabel) }

    await phone.page.getByTestId('elder-switch').click()
    await expect.poll(() => phone.page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true)
    expect(await phone.page.getByTestId('elder-switch').getAttribute('aria-checked')).toBe('true')
    const after = { cell: await fontSize(cellTitle), tab: await fontSize(tabLabel) }
    expect(after.cell / before.cell).toBeGreaterThanOrEqual(1.25)
    expect(after.tab / before.tab).toBeGreaterThanOrEqual(1.25)
    expect(await wrappedTabLabels(), 'tab labels on one line').toEqual([])
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on 我的').toEqual([])
    await screenshot(phone.page, 'me-elder', { andBottom: true })
    expect(await axeViolations(phone.page), 'axe on 我的 in elder mode').toEqual([])

    await phone.page.reload()
    await phone.page.getByTestId('me-card').waitFor()
    expect(await phone.page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true)
    expect(await phone.page.getByTestId('elder-switch').getAttribute('aria-checked')).toBe('true')
    expect(await fontSize(cellTitle)).toBe(after.cell)
    expect(await fontSize(tabLabel)).toBe(after.tab)
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on 我的 after reload').toEqual([])

    await openHome()
    expect(await tapTargetsBelow(MIN_TAP_PX), 'tap targets on home').toEqual([])
    await screenshot(phone.page, 'home-elder')
    expect(await axeViolations(phone.page), 'axe on home in elder mode').toEqual([])

    // And back: the switch turns it off again.
    await openMe()
    await phone.page.getByTestId('elder-switch').click()
    expect(await fontSize(cellTitle)).toBe(before.cell)
  })
})

describe('elder mode before signing in', () => {
  it('is offered on the login screen with a large switch, and stays on after signing in', async () => {
    // A fresh phone, as a family member sets it up: nobody has signed in yet.
    const context = await newPhone(phone.browser, phone.server.url)
    const page = await context.newPage()
    await page.goto('/login')
    const toggle = page.getByTestId('login-elder')
    await toggle.waitFor()
    expect(await toggle.getAttribute('aria-pressed')).toBe('false')
    const box = (await toggle.boundingBox())!
    expect(box.height).toBeGreaterThanOrEqual(60)
    expect(box.width).toBeGreaterThanOrEqual(60)

    await toggle.click()
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder-mode'))).toBe(true)
    expect(await toggle.getAttribute('aria-pressed')).toBe('true')
    await screenshot(page, 'login-elder')
    expect(await axeViolations(page), 'axe on login in elder mode').toEqual([])

    await signIn(page, PHONES.member)
    await page.getByTestId('tab-me').click()
    expect(await page.getByTestId('elder-switch').getAttribute('aria-checked')).toBe('true')
    await context.close()
  })
})
