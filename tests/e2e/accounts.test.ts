/**
 * Accounts on a 360×640 phone: a member given a one-time password signs in and is taken straight
 * to set their own; a weak password is refused with the reason next to the field, a good one is
 * accepted and the app works. A secretary whose sign-in is old is asked for the password before
 * resetting someone's, and after 15 idle minutes on a 管理 screen; a locked phone is told until when. Normal and elder mode, axe on each.
 */
import SQLite from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { api, fillPasswords, memberWithOneTimePassword as addMember, submitLogin } from './support/accounts.ts'
import { DEMO_PASSWORD, newPhone, screenshot, signIn, usePhone } from './support/browser.ts'
import { queryServerDb } from './support/serverDb.ts'

const session = usePhone()
const SECRETARY = '13800000004'

describe('accounts', () => {
  it('takes a member with a one-time password to set their own, refuses a weak one, then works', async () => {
    const { page } = session
    const member = await addMember(session.server.url, '13677770001', '林新芽')
    await submitLogin(page, '13677770001', member.password)
    // The first sign-in of this browser also loads the app's feature chunks: allow for it.
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe('/me/password')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/me/password')
    await page.getByTestId('password-forced').waitFor()
    // No way around it: another page sends the member back here.
    await page.goto('/study')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/me/password')
    expect(await axeViolations(page)).toEqual([])

    await fillPasswords(page, member.password, '88888888')
    const newField = page.getByTestId('password-new')
    await expect.poll(() => newField.innerText()).toContain('这个密码太常见')
    await fillPasswords(page, member.password, 'a13677770001')
    await expect.poll(() => newField.innerText()).toContain('不能包含您的手机号')
    await screenshot(page, 'password-forced-refused')
    expect(await axeViolations(page)).toEqual([])
    const unchanged = queryServerDb<{ must_change_password: number }>(session.server.dbFile, 'select must_change_password from person where id = ?', member.id)
    expect(unchanged[0]!.must_change_password).toBe(1)

    await fillPasswords(page, member.password, 'taoyuan2026chun')
    // A new person then reads the privacy notice (tests/e2e/privacy.test.ts) before the app.
    await page.getByTestId('privacy-accept').click()
    await page.getByTestId('home-greeting').waitFor()
    await page.getByTestId('tab-me').click()
    await page.getByTestId('me-card').waitFor()
    expect(await page.getByTestId('me-card').innerText()).toContain('林新芽')
    // 导出我的数据: a file with what the server keeps about them, and nothing secret.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('me-export').click()])
    expect(download.suggestedFilename()).toMatch(/\.json$/)
    const mine = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { person: { phone: string } }
    expect(mine.person.phone).toBe('13677770001')
    expect(JSON.stringify(mine)).not.toContain('password_hash')
    const changed = queryServerDb<{ must_change_password: number }>(session.server.dbFile, 'select must_change_password from person where id = ?', member.id)
    expect(changed[0]!.must_change_password).toBe(0)

    // 我的 → 修改密码 is there for everyone, with a way back.
    await page.getByTestId('me-password').click()
    await page.getByTestId('password-current').waitFor()
    expect(await page.getByTestId('password-forced').count()).toBe(0)
    // Vant's toast ("new password saved") is a dialog without a name: let it fade first.
    await page.locator('.van-toast').waitFor({ state: 'hidden' })
    await screenshot(page, 'password-change')
    expect(await axeViolations(page)).toEqual([])
  })

  it('shows the forced change in elder mode at 360×640', async () => {
    const member = await addMember(session.server.url, '13677770002', '周长寿')
    const context = await newPhone(session.browser, session.server.url)
    const page = await context.newPage()
    await page.goto('/login')
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await submitLogin(page, '13677770002', member.password)
    await page.getByTestId('password-forced').waitFor()
    await fillPasswords(page, member.password, '1234567')
    await expect.poll(() => page.getByTestId('password-new').innerText()).toContain('至少要8位')
    await screenshot(page, 'password-forced-refused-elder')
    expect(await axeViolations(page)).toEqual([])
    await context.close()
  })

  it('asks a secretary whose sign-in is old for the password before a reset, then resets', async () => {
    const member = await addMember(session.server.url, '13677770003', '陈春生')
    const context = await newPhone(session.browser, session.server.url)
    const page = await context.newPage()
    await signIn(page, SECRETARY)
    // The secretary signed in weeks ago on this phone (sessions last 90 days).
    const db = new SQLite(session.server.dbFile)
    db.prepare('update session set verified_at = 0 where person_id = (select id from person where phone = ?)').run(SECRETARY)
    db.close()

    await page.goto(`/manage/people/${member.id}`)
    await page.getByTestId('person-reset').click()
    await page.locator('.van-dialog__confirm').first().click()
    const dialog = page.getByTestId('step-up-dialog')
    await dialog.waitFor()
    await page.getByTestId('step-up-password').locator('input').fill('not-my-password')
    await dialog.locator('.van-dialog__confirm').click()
    await expect.poll(() => page.getByTestId('step-up-password').innerText()).toContain('密码不正确')
    await screenshot(page, 'step-up-dialog')
    expect(await axeViolations(page)).toEqual([])

    await page.getByTestId('step-up-password').locator('input').fill(DEMO_PASSWORD)
    await dialog.locator('.van-dialog__confirm').click()
    await page.getByTestId('otp-row').waitFor()
    expect(await page.getByTestId('otp-row').innerText()).toMatch(/陈春生\s+13677770003\s+\d{8}/)
    await context.close()
  })

  it('leaves the 管理 screens after 15 idle minutes and asks for the password to go back', async () => {
    const context = await newPhone(session.browser, session.server.url)
    const page = await context.newPage()
    // A controllable clock from the first script on, so 15 minutes pass in a moment.
    await page.clock.install()
    await signIn(page, SECRETARY)
    await page.goto('/manage/people')
    await page.getByTestId('people-row').first().waitFor()
    await page.clock.fastForward('14:00')
    expect(new URL(page.url()).pathname).toBe('/manage/people')
    await page.clock.fastForward('02:00')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/me')

    await page.goto('/me')
    await page.getByTestId('me-manage').click()
    const dialog = page.getByTestId('step-up-dialog')
    await dialog.waitFor()
    await page.getByTestId('step-up-password').locator('input').fill(DEMO_PASSWORD)
    await dialog.locator('.van-dialog__confirm').click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/manage')
    await context.close()
  })

  it('tells a locked phone until when it must wait', async () => {
    const phone = '13800000002'
    for (let i = 0; i < 10; i++) await api(session.server.url, 'POST', '/v1/auth/login', undefined, { phone, password: 'wrong-guess', deviceName: 'thief' })
    const context = await newPhone(session.browser, session.server.url)
    const page = await context.newPage()
    await submitLogin(page, phone, DEMO_PASSWORD)
    await expect.poll(() => page.getByTestId('login-error').innerText()).toMatch(/账号已锁定，请于 \d{2}:\d{2} 后再试/)
    await screenshot(page, 'login-locked')
    expect(await axeViolations(page)).toEqual([])
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await page.reload()
    await submitLogin(page, phone, DEMO_PASSWORD)
    await page.getByTestId('login-error').waitFor()
    await screenshot(page, 'login-locked-elder')
    await context.close()
  })
})
