/**
 * A processed video lesson on a phone on a mobile connection: the server's worker made a poster
 * and a 360p data-saver from a real H.264 video (ffmpeg, at test time); the download panel lists
 * 高清 and 省流 with their sizes, the data-saver chosen, and the player shows the poster.
 * Screenshots at 360×640, normal and elder mode, with axe.
 */
import { rmSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestVideo } from '../../support/ffmpegVideo.ts'
import { contentWithVideo, VIDEO_LESSON_ID } from '../../support/videoContent.ts'
import { axeViolations } from '../support/axe.ts'
import { launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from '../support/browser.ts'
import { startServer, type E2eServer } from '../support/server.ts'

const LESSON = VIDEO_LESSON_ID
let dir: string
let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  dir = contentWithVideo((path) => makeTestVideo(path, { seconds: 3, width: 640, height: 480 }), {
    whole: true,
    title: '灭火演练录像',
    notes: '看完想一想：家里的灭火器放在哪里？\n',
  })
  ;[server, browser] = await Promise.all([startServer({ env: { CONTENT_DIR: dir } }), launchBrowser()])
  context = await newPhone(browser, server.url)
  // A phone on the mobile network, as Android Chrome reports it.
  await context.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { type: 'cellular', effectiveType: '3g' } }))
  page = await context.newPage()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('a processed video lesson', () => {
  it('offers 高清 and 省流 with sizes, the data-saver chosen on a mobile connection, and shows the poster', async () => {
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)
    // The worker processes the video after the server starts; each app start pulls again.
    await expect
      .poll(
        async () => {
          await page.goto(`/study/lesson/${LESSON}`)
          await page.getByTestId('video-download').waitFor()
          return page.getByTestId('video-renditions').isVisible()
        },
        { timeout: 120_000, interval: 2000 },
      )
      .toBe(true)
    await expect.poll(() => page.getByTestId('video-rendition-hd').textContent()).toMatch(/高清（原画质）· [\d.]+ [KM]B/)
    await expect.poll(() => page.getByTestId('video-rendition-saver').textContent()).toMatch(/省流（360p）· [\d.]+ [KM]B/)
    expect(await page.getByTestId('video-rendition-saver').getAttribute('aria-checked')).toBe('true')
    expect(await page.getByTestId('lesson-video').getAttribute('poster')).toMatch(/^\/media\/u\/.+\.jpg\?v=/)
    expect(await page.getByTestId('video-start').textContent()).toMatch(/KB|MB/)

    for (const mode of ['normal', 'elder'] as const) {
      await page.evaluate((on) => localStorage.setItem('pps.elderMode', on ? '1' : '0'), mode === 'elder')
      await page.reload()
      await page.getByTestId('video-renditions').waitFor()
      await page.getByTestId('video-download').scrollIntoViewIfNeeded()
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
      expect(await axeViolations(page)).toEqual([])
      await screenshot(page, `video-renditions-${mode}`)
    }
  })
})
