/**
 * A member's first visit over a slow village link that drops requests still leaves an app that
 * opens with no network: the service worker installs only the app shell (a failed install is
 * tried again while the page stays open), fetches everything else afterwards with retries, and
 * says so ("正在准备离线使用 …%" → "已可离线使用").
 */
import { describe, expect, it } from 'vitest'
import { DEMO_PASSWORD, goOffline, PHONES, usePhone, waitForServiceWorker } from './support/browser.ts'

const phone = usePhone()

/** Every response waits this long; a dropped request fails after the same wait. */
const LATENCY_MS = 150

describe('first visit on a lossy link', () => {
  it('ends with an app that starts offline, and tells the member when it is ready', async () => {
    const { context } = phone
    const dropped = new Set<string>()
    let staticRequests = 0
    // Every response is late, and every fifth file the service worker asks for (not a page, not
    // the API) fails the first time. The page's own requests are only late: a page whose code
    // fails to load is a different matter from the offline install this proves.
    await context.route('**/*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS))
      const request = route.request()
      const url = request.url()
      const isFile = request.resourceType() !== 'document' && !new URL(url).pathname.startsWith('/api/')
      if (request.serviceWorker() && isFile && !dropped.has(url) && ++staticRequests % 5 === 0) {
        dropped.add(url)
        return route.abort('connectionreset')
      }
      return route.continue()
    })

    const page = await context.newPage()
    await page.goto('/login')
    await page.getByTestId('login-submit').waitFor()
    await waitForServiceWorker(page)

    await page.getByTestId('login-phone').locator('input').fill(PHONES.member)
    await page.getByTestId('login-password').locator('input').fill(DEMO_PASSWORD)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('home-greeting').waitFor()
    await page.getByTestId('tab-me').click()
    const readiness = page.getByTestId('offline-readiness')
    await expect.poll(() => readiness.getAttribute('data-state'), { timeout: 40_000 }).toBe('ready')
    expect(await readiness.innerText()).toBe('已可离线使用')
    expect(dropped.size, 'the link dropped some files').toBeGreaterThan(3)
    await page.close()

    await context.unrouteAll({ behavior: 'wait' })
    await goOffline(context)
    const reopened = await context.newPage()
    await reopened.goto('/')
    await reopened.getByTestId('home-greeting').waitFor()
    // Screens outside the shell came in the background and open too.
    await reopened.getByTestId('tab-study').click()
    await reopened.getByTestId('tab-me').click()
    await reopened.getByTestId('me-card').waitFor()
    expect(await reopened.getByTestId('offline-readiness').getAttribute('data-state')).toBe('ready')
  }, 60_000)
})
