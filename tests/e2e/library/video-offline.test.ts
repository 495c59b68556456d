/**
 * A video lesson on a phone with a bad connection: the download is cut three times and the page
 * reloaded half-way, yet every chunk crosses the network once; then with no network at all the
 * video plays, seeks and, watched to the end, completes the lesson once on the server.
 * The video is an MP4 with an Opus sound track made from the demo audio at test time (see
 * docs/video.md: no H.264 encoder here, and Chromium plays Opus in MP4 without proprietary codecs).
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_DIR } from '../../../server/features/content/import.ts'
import { opusMp4FromOgg } from '../../support/mp4.ts'
import { contentWithVideo, VIDEO_LESSON_ID } from '../../support/videoContent.ts'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from '../support/browser.ts'
import { queryServerDb } from '../support/serverDb.ts'
import { startServer, type E2eServer } from '../support/server.ts'

const LESSON = VIDEO_LESSON_ID
const MB = 1024 * 1024
const SIZE = Math.round(3.4 * MB) // four 1 MB chunks, the last one short

let dir: string
let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  const mp4 = opusMp4FromOgg(readFileSync(join(CONTENT_DIR, 'media/audio/rural-safety-01.ogg')), { seconds: 6, padTo: SIZE })
  dir = contentWithVideo(mp4, { whole: true, title: '灭火演练录像', notes: '看完想一想：家里的灭火器放在哪里？\n' })
  ;[server, browser] = await Promise.all([startServer({ env: { CONTENT_DIR: dir } }), launchBrowser()])
  context = await newPhone(browser, server.url)
  page = await context.newPage()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const CHUNKS = [0, 1, 2, 3].map((i) => `bytes=${i * MB}-${Math.min(SIZE, (i + 1) * MB) - 1}`)

describe('a video lesson offline', () => {
  it('downloads through cuts and a reload, then plays, seeks and completes once with no network', async () => {
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)

    // The network: chunk 1 is cut once, chunk 3 twice, chunk 2 hangs until the page reloads.
    const delivered: string[] = []
    const tries = new Map<string, number>()
    let releaseHeld!: () => void
    const reloaded = new Promise<void>((resolve) => (releaseHeld = resolve))
    await context.route('**/media/video/**', async (route) => {
      const range = route.request().headers()['range'] ?? ''
      const n = (tries.get(range) ?? 0) + 1
      tries.set(range, n)
      if ((range === CHUNKS[1] && n === 1) || (range === CHUNKS[3] && n <= 2)) return route.abort('connectionreset')
      if (range === CHUNKS[2] && n === 1) {
        await reloaded
        return route.abort('connectionreset')
      }
      if (CHUNKS.includes(range)) delivered.push(range)
      return route.continue()
    })

    await page.goto(`/study/lesson/${LESSON}`)
    await page.getByTestId('video-start').click()
    await expect.poll(() => tries.get(CHUNKS[2]!) ?? 0, { timeout: 20_000 }).toBe(1)
    await expect.poll(() => page.getByTestId('video-progress').textContent()).toMatch(/2\.0 MB \/ 3\.4 MB/)
    await screenshot(page, 'video-downloading')
    await page.reload()
    releaseHeld()
    await page.getByTestId('video-downloaded').waitFor({ timeout: 30_000 })
    expect(delivered.sort()).toEqual([...CHUNKS].sort()) // each chunk crossed the network once
    await context.unrouteAll({ behavior: 'ignoreErrors' })

    await goOffline(context)
    await page.reload()
    await page.getByTestId('lesson-video').waitFor()
    await page.getByTestId('video-speed-1.5').click()
    const watched = await page.getByTestId('lesson-video').evaluate(async (v: HTMLVideoElement) => {
      const once = (name: string, ms = 10_000) =>
        new Promise<boolean>((resolve) => {
          v.addEventListener(name, () => resolve(true), { once: true })
          setTimeout(() => resolve(false), ms)
        })
      v.muted = true
      if (v.readyState < 1) await once('loadedmetadata')
      const seekStarted = performance.now()
      const seeked = once('seeked')
      v.currentTime = v.duration / 2
      const seekOk = await seeked
      const seekMs = performance.now() - seekStarted
      await v.play()
      while (v.currentTime < v.duration / 2 + 0.5 && !v.error) await new Promise((r) => setTimeout(r, 50))
      v.pause()
      const back = once('seeked')
      v.currentTime = 0
      await back
      const ended = once('ended')
      await v.play()
      return { seekOk, seekMs, duration: v.duration, ended: await ended, rate: v.playbackRate, error: v.error?.code ?? null }
    })
    expect(watched).toMatchObject({ seekOk: true, duration: 6, ended: true, rate: 1.5, error: null })
    expect(watched.seekMs).toBeLessThan(1000)
    await expect.poll(() => page.getByTestId('video-rule').textContent()).toContain('已看完')
    await screenshot(page, 'video-watched-offline')

    await page.goto('/me/downloads')
    await expect.poll(() => page.getByTestId(`video-download-${LESSON}`).textContent()).toMatch(/灭火演练录像[\s\S]*3\.4 MB/)

    await goOnline(context)
    const completions = () =>
      queryServerDb<{ n: number }>(
        server.dbFile,
        `select count(*) as n from study_event e join person p on p.id = e.person_id where p.phone = ? and e.lesson_id = ? and e.kind = 'completed'`,
        PHONES.member,
        LESSON,
      )[0]!.n
    await expect.poll(completions, { timeout: 30_000 }).toBe(1)
  })
})
