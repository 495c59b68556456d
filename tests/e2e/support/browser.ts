/**
 * One Debian Chromium per test file, driven by playwright-core, and the helpers every browser
 * test needs: a phone-sized context, signing in, going offline for real, screenshots.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { ROOT, startServer, type E2eServer } from './server.ts'

// Lets context.route() see the service worker's own fetches too (read when Chromium starts), so
// "offline" also cuts the network under the SW. Newer playwright-core does this by default.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1'

export const SCREENSHOTS = join(ROOT, 'tests/e2e/screenshots')
export const DEMO_PASSWORD = 'demo1234'
export const PHONES = { member: '13800000001', leader: '13800000003', supervisor: '13800000005' } as const

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A cheap Android phone: 360×640 CSS px at 2× density, Chinese UI, service workers on. */
export async function newPhone(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    serviceWorkers: 'allow',
  })
  context.setDefaultTimeout(15_000)
  return context
}

/** Signs in through the login page and waits for the home page. */
export async function signIn(page: Page, phone: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill(phone)
  await page.getByTestId('login-password').locator('input').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('home-greeting').waitFor()
}

/**
 * Resolves once a service worker controls the page and holds the whole app: the shell it
 * installed and everything else it fetches afterwards (src/sw/offlineAssets.ts).
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
    }
    await new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('message', (event) => {
        const data = event.data as { type?: string; done: number; total: number }
        if (data?.type === 'OFFLINE_PROGRESS' && data.done >= data.total) resolve()
      })
      navigator.serviceWorker.controller!.postMessage({ type: 'PREPARE_OFFLINE' })
    })
  })
}

/**
 * Offline as a phone in a dead zone is offline: `setOffline` alone does not cut the service
 * worker's fetches, so every request that would reach the network is aborted as well. Responses
 * the service worker serves from its cache never touch the network and still work.
 */
export async function goOffline(context: BrowserContext): Promise<void> {
  await context.setOffline(true)
  await context.route('**/*', (route) => route.abort('internetdisconnected'))
}

export async function goOnline(context: BrowserContext): Promise<void> {
  await context.unrouteAll({ behavior: 'ignoreErrors' })
  await context.setOffline(false)
}

/**
 * Saves tests/e2e/screenshots/<name>.png as the phone shows it. With `andBottom`, also scrolls
 * down and saves <name>-bottom.png: a full-page capture would paint the fixed tab bar mid-page.
 */
export async function screenshot(page: Page, name: string, { andBottom = false } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  // Fonts loaded and transitions (a switch sliding, a toast fading in) finished: the picture
  // shows the screen a person settles on, not a frame in between.
  await page.evaluate(() => document.fonts.ready)
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' })
  if (!andBottom) return
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-bottom.png`), animations: 'disabled' })
  await page.evaluate(() => window.scrollTo(0, 0))
}

export interface PhoneSession {
  server: E2eServer
  browser: Browser
  context: BrowserContext
  page: Page
}

/**
 * The usual set-up of a browser test file: one server and one Chromium with one phone, signed in
 * as `phone` when given, all started before the file's tests and stopped after them. The fields
 * are filled in by `beforeAll`, so read them inside tests and hooks.
 */
export function usePhone(phone?: string): PhoneSession {
  const session = {} as PhoneSession
  beforeAll(async () => {
    ;[session.server, session.browser] = await Promise.all([startServer(), launchBrowser()])
    session.context = await newPhone(session.browser, session.server.url)
    session.page = await session.context.newPage()
    if (phone) await signIn(session.page, phone)
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.server?.stop()
  })
  return session
}
