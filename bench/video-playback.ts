/**
 * Offline video playback in Chromium (`npm run bench:video:playback`, issue 16): a real H.264/AAC
 * lesson video (made with ffmpeg now, 2 minutes at 640×360 by default) is downloaded through the
 * PWA's chunked downloader, then with the network off the page is reloaded and we time, in the
 * page, (a) the first frame: `load()` until `loadeddata`, served by the service worker from the
 * chunks, and (b) a seek to the middle: setting `currentTime` until `seeked`.
 * Targets: first frame ≤ 1 s, seek ≤ 300 ms. Needs `npx vite build` first (like the e2e tests).
 * BENCH_SECONDS changes the video's length; BENCH_RUNS the number of timed runs.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CONTENT_DIR } from '../server/features/content/import.ts'
import { startServer } from '../tests/e2e/support/server.ts'
import { percentile } from './support/timing.ts'

/**
 * Run in the page, as a string: tsx would add helpers to a function that the page does not have,
 * and this file is type-checked without DOM types.
 */
const MEASURE = `(async () => {
  const v = document.querySelector('[data-testid="lesson-video"]')
  const once = (name) => new Promise((resolve, reject) => {
    v.addEventListener(name, () => resolve(), { once: true })
    v.addEventListener('error', () => reject(new Error('video error ' + v.error?.code)), { once: true })
  })
  v.muted = true
  let t0 = performance.now()
  const loaded = once('loadeddata')
  v.load()
  await loaded
  const frame = performance.now() - t0
  t0 = performance.now()
  const seeked = once('seeked')
  v.currentTime = v.duration / 2
  await seeked
  return { frame, seek: performance.now() - t0 }
})()`

const SECONDS = Number(process.env.BENCH_SECONDS ?? 120)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const LESSON = 'bench-video-01'

const dir = mkdtempSync(join(tmpdir(), 'pps-playback-bench-'))
cpSync(CONTENT_DIR, dir, { recursive: true })
mkdirSync(join(dir, 'media/video'))
const video = join(dir, 'media/video/bench.mp4')
execFileSync('ffmpeg', [
  '-hide_banner', '-loglevel', 'error', '-y',
  '-f', 'lavfi', '-i', `testsrc=size=640x360:rate=25:duration=${SECONDS}`,
  '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`,
  '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p', '-b:v', '600k', '-c:a', 'aac', '-b:a', '64k',
  '-movflags', '+faststart', video,
])
writeFileSync(
  join(dir, 'courses/rural-safety/09-bench-video.md'),
  `---\nid: ${LESSON}\ntitle: 播放测速\norder: 9\nminutes: 2\nvideo: media/video/bench.mp4\n---\n`,
)

// VIDEO_FFMPEG=off: the server serves the original only, so the timing is of the file made above.
const server = await startServer({ env: { CONTENT_DIR: dir, VIDEO_FFMPEG: 'off' } })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 360, height: 640 }, locale: 'zh-CN', serviceWorkers: 'allow' })
  const page = await context.newPage()
  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill('13800000001')
  await page.getByTestId('login-password').locator('input').fill('demo1234')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('home-greeting').waitFor()
  // A string: this file is type-checked without DOM types (server/tsconfig.json).
  await page.evaluate(`navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller ||
    new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true })))`)
  await page.goto(`/study/lesson/${LESSON}`)
  // The first pull brings the whole library: on a busy machine that takes longer than a click's 30 s.
  await page.getByTestId('video-start').click({ timeout: 180_000 })
  await page.getByTestId('video-downloaded').waitFor({ timeout: 300_000 })

  // The network off for real: the page and the service worker's fetches both fail.
  await context.setOffline(true)
  await context.route('**/*', (route) => route.abort('internetdisconnected'))
  const firstFrame: number[] = []
  const seek: number[] = []
  for (let i = 0; i < RUNS; i++) {
    await page.reload()
    await page.getByTestId('lesson-video').waitFor()
    const t = (await page.evaluate(MEASURE)) as { frame: number; seek: number }
    firstFrame.push(t.frame)
    seek.push(t.seek)
  }
  firstFrame.sort((a, b) => a - b)
  seek.sort((a, b) => a - b)
  const mb = (statSync(video).size / 1024 / 1024).toFixed(1)
  console.log(`offline playback of a ${SECONDS} s H.264 video (${mb} MB) from the downloaded chunks, ${RUNS} runs:`)
  console.log(`  first frame   p50 ${percentile(firstFrame, 50).toFixed(0)} ms, max ${firstFrame.at(-1)!.toFixed(0)} ms (target ≤ 1000 ms)`)
  console.log(`  seek to middle p50 ${percentile(seek, 50).toFixed(0)} ms, max ${seek.at(-1)!.toFixed(0)} ms (target ≤ 300 ms)`)
} finally {
  await browser.close()
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
