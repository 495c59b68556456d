/**
 * The annual plan on a branch secretary's 360×640 phone: the demo plan the district published
 * shows beside the branch's own items, each naming the course, lesson or quiz it refers to, and a
 * course picked from the phone's library fills a new item.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { screenshot, usePhone } from './support/browser.ts'

const SECRETARY = '13800000004'
const s = usePhone(SECRETARY)

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

/** The course sheet fades out after a pick; axe must not catch it half-way (an unnamed dialog). */
const sheetsClosed = (page: Page) => page.waitForFunction(() => !document.querySelector('[class*="-leave-active"]'))

describe('annual plan on a secretary’s phone', () => {
  it('shows the district’s items as inherited and the branch’s own items with what they refer to', async () => {
    const page = s.page
    await page.goto('/manage/plans')
    const march = page.getByTestId('plan-month-3')
    await march.getByTestId('plan-inherited').first().waitFor()
    expect(await march.getByTestId('plan-inherited').first().innerText()).toBe('上级：青禾县')
    // The lesson reference is named once the library has been pulled onto the phone.
    await expect.poll(() => march.getByTestId('plan-item-ref').allInnerTexts(), { timeout: 20_000 }).toContain('对应课程：田间课堂：科学种植 · 测土配方施肥')
    expect(await page.getByTestId('plan-month-5').getByTestId('plan-item-ref').allInnerTexts()).toContain('对应测试：反诈小测试')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'plan-phone')
    await setElder(page, true)
    await page.getByTestId('plan-month-3').getByTestId('plan-item-ref').first().waitFor()
    await screenshot(page, 'plan-phone-elder-seeded')
    await setElder(page, false)
  })

  it('fills a new item from a course picked in the library, and lists it with its course', async () => {
    const page = s.page
    await page.goto('/manage/plans')
    const august = page.getByTestId('plan-month-8')
    await august.getByTestId('plan-inherited').first().waitFor()
    const before = await august.getByTestId('plan-item').count()
    await page.getByTestId('plan-add-8').click()
    await page.getByTestId('plan-kind-course').click()
    await page.getByTestId('plan-pick-ref').click()
    await page.locator('.van-action-sheet__item', { hasText: '农村安全生产与防灾' }).click()
    const title = page.getByTestId('plan-title').locator('input')
    await expect.poll(() => title.inputValue()).toBe('农村安全生产与防灾')
    await page.getByTestId('plan-lesson').selectOption({ label: '防汛和地质灾害避险' })
    await expect.poll(() => title.inputValue()).toBe('防汛和地质灾害避险')
    await page.getByTestId('plan-pick-ref').scrollIntoViewIfNeeded()
    await sheetsClosed(page)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'plan-item-form-phone')
    await setElder(page, true)
    await page.getByTestId('plan-add-8').click()
    await page.getByTestId('plan-kind-course').click()
    await page.getByTestId('plan-pick-ref').click()
    await page.locator('.van-action-sheet__item', { hasText: '农村安全生产与防灾' }).waitFor()
    await screenshot(page, 'plan-item-picker-phone-elder')
    await page.locator('.van-action-sheet__item', { hasText: '农村安全生产与防灾' }).click()
    await page.getByTestId('plan-lesson').selectOption({ label: '防汛和地质灾害避险' })
    await sheetsClosed(page)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'plan-item-form-phone-elder')
    await page.getByTestId('plan-save').click()
    await expect.poll(() => august.getByTestId('plan-item').count(), { timeout: 15_000 }).toBe(before + 1)
    expect(await august.getByTestId('plan-item-ref').allInnerTexts()).toContain('对应课程：农村安全生产与防灾 · 防汛和地质灾害避险')
    await setElder(page, false)
  })
})
