/**
 * The study library on a fresh phone: sign in, the library syncs, a course is downloaded; then
 * with the network cut (the service worker's fetches too) a lesson with an image and audio, a
 * pocket-book entry and a Chinese search all still work, also after a reload.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goOffline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from '../support/browser.ts'
import { startServer, type E2eServer } from '../support/server.ts'

const COURSE = 'three-meetings-one-lesson'
const LESSON = 'three-meetings-one-lesson-01'
const ENTRY = 'pocket-rural-policy-005'

let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  context = await newPhone(browser, server.url)
  page = await context.newPage()
})
afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

/** The lesson shows its text, its image has really loaded and its audio plays and seeks. */
async function checkLesson(): Promise<void> {
  await page.goto(`/study/lesson/${LESSON}`)
  await expect.poll(() => page.getByTestId('lesson-title').textContent()).toContain('三会一课')
  const image = page.locator('[data-testid="lesson"] article img').first()
  await image.scrollIntoViewIfNeeded()
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
  const audio = await page.getByTestId('lesson-audio').evaluate(async (el: HTMLAudioElement) => {
    el.muted = true
    await el.play()
    const deadline = Date.now() + 5000
    while (el.currentTime === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const played = el.currentTime
    // Seeking needs a 206 from the service worker's range plugin when offline.
    const seeked = new Promise<boolean>((resolve) => {
      el.addEventListener('seeked', () => resolve(true), { once: true })
      setTimeout(() => resolve(false), 5000)
    })
    el.currentTime = Math.min(4, el.duration - 0.5)
    const ok = await seeked
    el.pause()
    return { played, seeked: ok, duration: el.duration, error: el.error?.code ?? null, at: el.currentTime }
  })
  expect(audio.error).toBeNull()
  expect(audio.duration).toBeGreaterThan(1)
  expect(audio.played).toBeGreaterThan(0)
  expect(audio.seeked).toBe(true)
  expect(audio.at).toBeGreaterThan(1)
}

async function checkPocketEntry(): Promise<void> {
  await page.goto('/pocket')
  await page.getByTestId('pocket-category-rural-policy').click()
  await page.getByTestId(`entry-${ENTRY}`).click()
  await expect.poll(() => page.getByTestId('entry-title').textContent()).toContain('一户一宅')
}

async function checkSearch(): Promise<void> {
  await page.goto('/search')
  await page.getByTestId('search-input').locator('input').fill('一户一宅')
  const first = page.locator('[data-testid="search-results"] > a').first()
  await expect.poll(() => first.getAttribute('data-testid'), { timeout: 10_000 }).toBe(`hit-${ENTRY}`)
  expect(await first.locator('mark').first().textContent()).toMatch(/一户|一宅/)
  await page.getByTestId('search-input').locator('input').fill('火箭发射')
  await page.locator('.van-empty').waitFor()
  expect(await page.locator('[data-testid="search-results"] > a').count()).toBe(0)
}

describe('library offline', () => {
  it('syncs, downloads a course, then works offline across a reload', async () => {
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)
    await page.getByTestId('tab-study').click()
    await page.getByTestId(`course-${COURSE}`).first().waitFor()
    await screenshot(page, 'library-study-tab')

    await page.getByTestId(`course-${COURSE}`).first().click()
    await page.getByTestId('download-start').click()
    await page.locator('.van-dialog__confirm').click()
    await page.getByTestId('download-done').waitFor()
    await screenshot(page, 'library-course-downloaded')
    await page.goto('/me/downloads')
    await expect.poll(() => page.getByTestId(`download-${COURSE}`).textContent()).toMatch(/三会一课规范[\s\S]*KB/)
    await page.getByTestId('storage-estimate').waitFor()

    // The search index is built in the background after the pull.
    await checkSearch()

    await goOffline(context)
    await checkLesson()
    await screenshot(page, 'library-lesson-offline')
    await checkPocketEntry()
    await checkSearch()

    await page.reload()
    await checkLesson()
    await checkPocketEntry()
    await checkSearch()
    await screenshot(page, 'library-search-offline')
  })
})
