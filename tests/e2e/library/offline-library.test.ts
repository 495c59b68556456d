/**
 * The study library on a fresh phone: sign in, the library syncs, a course is downloaded; then
 * with the network cut (the service worker's fetches too) a lesson with an image and audio, a
 * pocket-book entry and a Chinese search all still work, also after a reload.
 */
import { describe, expect, it } from 'vitest'
import { goOffline, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from '../support/browser.ts'

const COURSE = 'three-meetings-one-lesson'
const LESSON = 'three-meetings-one-lesson-01'
const ENTRY = 'pocket-rural-policy-005'

const phone = usePhone()

/** The lesson shows its text, its image has really loaded and its audio plays and seeks. */
async function checkLesson(): Promise<void> {
  await phone.page.goto(`/study/lesson/${LESSON}`)
  await expect.poll(() => phone.page.getByTestId('lesson-title').textContent()).toContain('三会一课')
  const image = phone.page.locator('[data-testid="lesson"] article img').first()
  await image.scrollIntoViewIfNeeded()
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true)
  const audio = await phone.page.getByTestId('lesson-audio').evaluate(async (el: HTMLAudioElement) => {
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
  await phone.page.goto('/pocket')
  await phone.page.getByTestId('pocket-category-rural-policy').click()
  await phone.page.getByTestId(`entry-${ENTRY}`).click()
  await expect.poll(() => phone.page.getByTestId('entry-title').textContent()).toContain('一户一宅')
}

async function checkSearch(): Promise<void> {
  await phone.page.goto('/search')
  await phone.page.getByTestId('search-input').locator('input').fill('一户一宅')
  const first = phone.page.locator('[data-testid="search-results"] > a').first()
  await expect.poll(() => first.getAttribute('data-testid'), { timeout: 10_000 }).toBe(`hit-${ENTRY}`)
  expect(await first.locator('mark').first().textContent()).toMatch(/一户|一宅/)
  await phone.page.getByTestId('search-input').locator('input').fill('火箭发射')
  await phone.page.locator('.van-empty').waitFor()
  expect(await phone.page.locator('[data-testid="search-results"] > a').count()).toBe(0)
}

describe('library offline', () => {
  it('syncs, downloads a course, then works offline across a reload', async () => {
    await signIn(phone.page, PHONES.member)
    await waitForServiceWorker(phone.page)
    await phone.page.getByTestId('tab-study').click()
    await phone.page.getByTestId(`course-${COURSE}`).first().waitFor()
    await screenshot(phone.page, 'library-study-tab')

    await phone.page.getByTestId(`course-${COURSE}`).first().click()
    await phone.page.getByTestId('download-start').click()
    await phone.page.locator('.van-dialog__confirm').click()
    await phone.page.getByTestId('download-done').waitFor()
    await screenshot(phone.page, 'library-course-downloaded')
    await phone.page.goto('/me/downloads')
    await expect.poll(() => phone.page.getByTestId(`download-${COURSE}`).textContent()).toMatch(/三会一课规范[\s\S]*KB/)
    await phone.page.getByTestId('storage-estimate').waitFor()

    // The search index is built in the background after the pull.
    await checkSearch()

    await goOffline(phone.context)
    await checkLesson()
    await screenshot(phone.page, 'library-lesson-offline')
    await checkPocketEntry()
    await checkSearch()

    await phone.page.reload()
    await checkLesson()
    await checkPocketEntry()
    await checkSearch()
    await screenshot(phone.page, 'library-search-offline')
  })
})
