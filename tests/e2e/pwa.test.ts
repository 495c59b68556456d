/**
 * The app as an installed PWA: it starts and stays signed in with no network at all, a deploy is
 * offered through the update prompt instead of reloading under the member's fingers, and the web
 * app manifest has what Android needs to install it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

let server: E2eServer
let browser: Browser
let context: BrowserContext | undefined
let builtSw: string

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  builtSw = readFileSync(join(server.staticDir, 'sw.js'), 'utf8')
  deploy(1)
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})
afterEach(async () => {
  await context?.close()
  context = undefined
  deploy(1)
})

async function signedInPhone(): Promise<Page> {
  context = await newPhone(browser, server.url)
  const page = await context.newPage()
  await signIn(page, PHONES.leader)
  await waitForServiceWorker(page)
  return page
}

async function expectHome(page: Page): Promise<void> {
  await page.getByTestId('home-greeting').waitFor()
  expect(new URL(page.url()).pathname).toBe('/')
  expect(await page.getByTestId('home-greeting').innerText()).toContain('您好')
}

/**
 * Simulates a deploy: a byte-different sw.js, as every build with a changed file produces. Each
 * build also answers "which build are you?", so a test can tell which one controls a page.
 */
function deploy(build: number): void {
  writeFileSync(
    join(server.staticDir, 'sw.js'),
    `${builtSw}\n// build ${build}\n` +
      `self.addEventListener('message', (e) => { if (e.data && e.data.type === 'E2E_BUILD') e.ports[0].postMessage(${build}) })\n`,
  )
}

/** The build number of the service worker that controls the page. */
async function controllingBuild(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const channel = new MessageChannel()
        channel.port1.onmessage = (e) => resolve(e.data as number)
        navigator.serviceWorker.controller!.postMessage({ type: 'E2E_BUILD' }, [channel.port2])
      }),
  )
}

async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration()
    await registration!.update()
  })
}

describe('offline', () => {
  it('reloads signed in with no network, from the precached shell, and says it is offline', async () => {
    const page = await signedInPhone()
    // The harness really cuts the service worker off too, not only the page.
    const [worker] = context!.serviceWorkers()
    const workerFetch = () => worker!.evaluate(() => fetch('/api/health').then((r) => r.status, () => 'no network'))
    expect(await workerFetch()).toBe(200)
    await goOffline(context!)
    expect(await workerFetch()).toBe('no network')

    await page.reload()
    await expectHome(page)
    await page.getByTestId('offline-banner').waitFor()
    expect(await page.getByTestId('offline-banner').innerText()).toContain('离线')
    await screenshot(page, 'home-offline')
    expect(await axeViolations(page), 'axe on home with the offline banner').toEqual([])

    // A cold start: a fresh page in the same browser, straight to a deep link.
    const cold = await context!.newPage()
    await cold.goto('/')
    await expectHome(cold)
    await cold.getByTestId('offline-banner').waitFor()
    await cold.goto('/me')
    await cold.getByTestId('me-card').waitFor()
    expect(await cold.getByTestId('offline-banner').isVisible()).toBe(true)

    // Back online, the banner goes once the server answers again.
    await goOnline(context!)
    await cold.reload()
    await cold.getByTestId('me-card').waitFor()
    await cold.getByTestId('offline-banner').waitFor({ state: 'detached' })
  })
})

describe('deploying a new version', () => {
  it('offers the update without reloading by itself, and 立即更新 reloads into the new service worker', async () => {
    const page = await signedInPhone()
    // A member opening the app again: the page is controlled by the installed worker from the start.
    await page.reload()
    await expectHome(page)
    expect(await controllingBuild(page)).toBe(1)
    await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'still here'))

    deploy(2)
    await checkForUpdate(page)
    const prompt = page.getByTestId('update-prompt')
    await prompt.waitFor()
    expect(await prompt.innerText()).toContain('有新版本可用')
    await screenshot(page, 'update-prompt')
    expect(await axeViolations(page), 'axe with the update prompt').toEqual([])

    // Never forced: the page has not reloaded and the old worker still controls it.
    await page.waitForTimeout(1500)
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still here')
    expect(await controllingBuild(page)).toBe(1)

    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: '立即更新' }).click()])
    await expectHome(page)
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBeUndefined()
    expect(await controllingBuild(page)).toBe(2)
    expect(await page.getByTestId('update-prompt').count()).toBe(0)
  })

  it('also reloads into the new version when the update arrives during the very first visit', async () => {
    // The first visit was not controlled when it started; the worker claimed it after install.
    const page = await signedInPhone()
    deploy(3)
    await checkForUpdate(page)
    const prompt = page.getByTestId('update-prompt')
    await prompt.waitFor()
    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: '立即更新' }).click()])
    await expectHome(page)
    expect(await controllingBuild(page)).toBe(3)
  })
})

describe('the web app manifest', () => {
  it('names the app, starts standalone at /, and links icons that are PNGs of the right size', async () => {
    const html = await (await fetch(`${server.url}/`)).text()
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest">')

    const res = await fetch(`${server.url}/manifest.webmanifest`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/manifest\+json/)
    const manifest = (await res.json()) as {
      name: string
      short_name: string
      lang: string
      display: string
      start_url: string
      scope: string
      theme_color: string
      background_color: string
      icons: { src: string; sizes: string; type: string; purpose?: string }[]
    }
    expect(manifest).toMatchObject({ name: '口袋党校', lang: 'zh-CN', display: 'standalone', start_url: '/', scope: '/' })
    // Android shows short_name under the home-screen icon: about 12 Latin characters fit.
    expect(manifest.short_name.length).toBeGreaterThan(0)
    expect(manifest.short_name.length).toBeLessThanOrEqual(12)
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i)
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i)

    const sizes = manifest.icons.map((i) => i.sizes)
    expect(sizes).toContain('192x192')
    expect(sizes).toContain('512x512')
    expect(manifest.icons.some((i) => i.purpose?.split(' ').includes('maskable'))).toBe(true)

    for (const icon of manifest.icons) {
      const file = await fetch(new URL(icon.src, `${server.url}/manifest.webmanifest`))
      expect(file.status, icon.src).toBe(200)
      expect(file.headers.get('content-type'), icon.src).toBe('image/png')
      const bytes = Buffer.from(await file.arrayBuffer())
      // PNG signature, then the IHDR chunk's width and height must match the declared size.
      expect(bytes.subarray(0, 8).toString('hex'), icon.src).toBe('89504e470d0a1a0a')
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, icon.src).toBe(icon.sizes)
    }
  })
})
