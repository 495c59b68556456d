/**
 * Signing in on a phone: the home page at 360×640, the tab bar each role gets, accessibility of
 * the first screens, a readable wrong-password message, and the server refusing what the client
 * merely hides.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, launchBrowser, newPhone, PHONES, screenshot, signIn } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})
beforeEach(async () => {
  context = await newPhone(browser, server.url)
  page = await context.newPage()
})
afterEach(async () => {
  await context.close()
})

async function tabLabels(): Promise<string[]> {
  const labels = await page.locator('.van-tabbar-item__text').allInnerTexts()
  return labels.map((l) => l.trim())
}

async function apiLogin(phone: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: DEMO_PASSWORD, deviceName: 'e2e' }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { token: string }).token
}

async function apiGet(path: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: await res.json() }
}

describe('signing in', () => {
  it('shows the home page with all six tabs to a group leader, and passes axe on login, home and 我的', async () => {
    await page.goto('/')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    await page.getByTestId('login-submit').waitFor()
    await screenshot(page, 'login')
    expect(await axeViolations(page), 'axe on the login page').toEqual([])

    await signIn(page, PHONES.leader)
    await expect.poll(() => new URL(page.url()).pathname).toBe('/')
    expect(await tabLabels()).toEqual(['首页', '学习', '口袋书', '测试', '签到', '我的'])
    await screenshot(page, 'home-leader')
    expect(await axeViolations(page), 'axe on home').toEqual([])

    await page.getByTestId('tab-me').click()
    await page.getByTestId('me-card').waitFor()
    await screenshot(page, 'me-leader')
    expect(await axeViolations(page), 'axe on 我的').toEqual([])
  })

  it('gives a plain member no 签到 (attendance) tab but check-in from Home, and sends them home from leaders’ pages', async () => {
    await signIn(page, PHONES.member)
    expect(await tabLabels()).toEqual(['首页', '学习', '口袋书', '测试', '我的'])
    expect(await page.getByTestId('tab-attendance').count()).toBe(0)
    await screenshot(page, 'home-member')
    // Members check in and see their attendance from the Home shortcut…
    await page.getByTestId('home-attendance').click()
    await page.getByTestId('attendance-checkin').waitFor()
    expect(await page.getByTestId('attendance-new').count()).toBe(0)
    // …but creating a meeting is for leaders: the client hides it, the server refuses it.
    await page.goto('/attendance/new')
    await page.getByTestId('home-greeting').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
  })

  it('says clearly that the phone number or password is wrong', async () => {
    await page.goto('/login')
    await page.getByTestId('login-phone').locator('input').fill(PHONES.member)
    await page.getByTestId('login-password').locator('input').fill('wrong-password')
    await page.getByTestId('login-submit').click()
    const error = page.getByTestId('login-error')
    await error.waitFor()
    expect((await error.innerText()).trim()).toBe('手机号或密码不正确')
    expect(await error.getAttribute('role')).toBe('alert')
    expect(new URL(page.url()).pathname).toBe('/login')
    await screenshot(page, 'login-wrong-password')
    expect(await axeViolations(page), 'axe with the error shown').toEqual([])
  })
})

describe('the server decides, not the client', () => {
  it('answers 403 when a member asks for the members of another village branch', async () => {
    // The township supervisor sees both village branches of 柳溪镇; the member belongs to the first.
    const supervisor = await apiLogin(PHONES.supervisor)
    const me = await apiGet('/v1/auth/me', supervisor)
    const township = me.body.roles.find((r: { role: string }) => r.role === 'supervisor').orgUnitId
    const { body: tree } = await apiGet(`/v1/org/units/${township}`, supervisor)
    const branches: { id: string; name: string }[] = tree.children
    const own = branches.find((b) => b.name === '桃园村党支部')!
    const other = branches.find((b) => b.name === '石桥村党支部')!
    expect(own && other).toBeTruthy()

    const member = await apiLogin(PHONES.member)
    const memberProfile = (await apiGet('/v1/auth/me', member)).body
    const ownGroup = await apiGet(`/v1/org/units/${memberProfile.orgUnitId}/members`, member)
    expect(ownGroup.status).toBe(200)

    const denied = await apiGet(`/v1/org/units/${other.id}/members`, member)
    expect(denied.status).toBe(403)
    expect(denied.body.code).toBe('FORBIDDEN')
    // The supervisor, whose subtree holds that branch, may read it.
    expect((await apiGet(`/v1/org/units/${other.id}/members`, supervisor)).status).toBe(200)
  })
})
