import type { Page } from 'playwright-core'
import { DEMO_PASSWORD } from './browser.ts'

const SECRETARY = '13800000004'

/** A JSON call straight to the test server, as another device would make it. */
export async function api<T>(serverUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serverUrl}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return (await res.json()) as T
}

/** What a secretary does at the branch office: adds a member, who gets a one-time password. */
export async function memberWithOneTimePassword(serverUrl: string, phone: string, name: string): Promise<{ id: string; password: string }> {
  const { token, profile } = await api<{ token: string; profile: { roles: Array<{ role: string; orgUnitId: string }> } }>(
    serverUrl,
    'POST',
    '/v1/auth/login',
    undefined,
    { phone: SECRETARY, password: DEMO_PASSWORD, deviceName: 'office' },
  )
  const branch = profile.roles.find((r) => r.role === 'secretary')!.orgUnitId
  const view = await api<{ children: Array<{ id: string }> }>(serverUrl, 'GET', `/v1/admin/units/${branch}`, token)
  const created = await api<{ person: { id: string }; password: string }>(serverUrl, 'POST', '/v1/admin/people', token, {
    orgUnitId: view.children[0]!.id,
    name,
    phone,
  })
  return { id: created.person.id, password: created.password }
}

export async function submitLogin(page: Page, phone: string, password: string): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill(phone)
  await page.getByTestId('login-password').locator('input').fill(password)
  await page.getByTestId('login-submit').click()
}

export async function fillPasswords(page: Page, current: string, next: string): Promise<void> {
  await page.getByTestId('password-current').locator('input').fill(current)
  await page.getByTestId('password-new').locator('input').fill(next)
  await page.getByTestId('password-repeat').locator('input').fill(next)
  await page.getByTestId('password-submit').click()
}
