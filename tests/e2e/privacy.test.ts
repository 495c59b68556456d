/**
 * PIPL on a 360×640 phone: a person the secretary added signs in, sets their password, reads the
 * 个人信息保护告知 and cannot go anywhere else until they agree; then the app works. Refusing photo
 * consent leaves the reflection form usable without a photo. Normal and elder mode, axe on each.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { fillPasswords, memberWithOneTimePassword, submitLogin } from './support/accounts.ts'
import { newPhone, screenshot, usePhone } from './support/browser.ts'
import { queryServerDb } from './support/serverDb.ts'

const session = usePhone()

/** Sign-in with the one-time password, then the forced change to one of their own. */
async function firstSignIn(page: Page, phone: string, oneTime: string): Promise<void> {
  await submitLogin(page, phone, oneTime)
  await page.getByTestId('password-forced').waitFor({ timeout: 15_000 })
  await fillPasswords(page, oneTime, 'taoyuan2026chun')
}

describe('privacy notice and consents', () => {
  it('keeps a new person on the notice until they agree, then a refused photo consent keeps the reflection form usable', async () => {
    const { page } = session
    const member = await memberWithOneTimePassword(session.server.url, '13677780001', '李知情')
    await firstSignIn(page, '13677780001', member.password)
    await page.getByTestId('privacy-notice').waitFor()
    expect(await page.getByTestId('privacy-notice').innerText()).toContain('导出我的数据')
    // No way around it: another page sends the person back to the notice.
    await page.goto('/study')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/privacy')
    await page.locator('.van-toast').waitFor({ state: 'hidden' })
    await screenshot(page, 'privacy-notice', { andBottom: true })
    expect(await axeViolations(page)).toEqual([])

    await page.getByTestId('privacy-accept').click()
    await page.getByTestId('home-greeting').waitFor()
    const stored = queryServerDb<{ privacy_accepted_version: string | null }>(
      session.server.dbFile,
      'select privacy_accepted_version from person where id = ?',
      member.id,
    )
    expect(stored[0]!.privacy_accepted_version).not.toBeNull()

    // 晒心得 with photos refused: the picker says why, and the text alone is saved.
    await page.goto('/reflections/new')
    await page.getByTestId('reflection-text-input').locator('textarea').fill('今天学习了党章，很有收获。')
    await page.locator('label.photo-pick').click()
    const dialog = page.locator('.consent-dialog')
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('照片')
    // Colours are checked once the dialog has finished fading in over the page.
    await expect.poll(() => dialog.getAttribute('class')).not.toContain('enter-active')
    expect(await axeViolations(page)).toEqual([])
    await dialog.locator('.van-dialog__cancel').click()
    await page.getByTestId('reflection-photo-input-refused').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.getByTestId('reflection-submit').click()
    await page.getByTestId('reflection').first().waitFor()

    // 我的 → 权限设置 shows the answer and can change it.
    await page.goto('/me')
    const photos = page.getByTestId('consent-photos')
    await photos.waitFor()
    expect(await photos.getAttribute('aria-checked')).toBe('false')
    await photos.click()
    await expect.poll(() => photos.getAttribute('aria-checked')).toBe('true')
  })

  it('shows the notice in elder mode, and 不同意 signs the person out', async () => {
    const member = await memberWithOneTimePassword(session.server.url, '13677780002', '王长者')
    const context = await newPhone(session.browser, session.server.url)
    const page = await context.newPage()
    await page.goto('/login')
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await firstSignIn(page, '13677780002', member.password)
    await page.getByTestId('privacy-notice').waitFor()
    await page.locator('.van-toast').waitFor({ state: 'hidden' })
    await screenshot(page, 'privacy-notice-elder', { andBottom: true })
    expect(await axeViolations(page)).toEqual([])
    await page.getByTestId('privacy-decline').click()
    await expect.poll(() => page.locator('.van-dialog').innerText()).toContain('无法使用')
    await page.locator('.van-dialog__confirm').click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    await context.close()
  })
})
