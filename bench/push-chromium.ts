/**
 * The client figures in a real Chromium (`npm run bench:push:chromium`, after `npm run build`):
 * `enqueue` latency in IndexedDB and the drain of 10,000 queued records to the real server
 * (SQLite) through the page's push engine.
 */
import { chromium } from 'playwright-core'
import { startServer } from '../tests/e2e/support/server.ts'
import { percentile } from './support/timing.ts'

const COUNT = 10_000
const server = await startServer()
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 360, height: 640 }, locale: 'zh-CN' })
  await context.addInitScript('localStorage.setItem("pps:e2e", "1")')
  const page = await context.newPage()
  await page.goto('/login')
  await page.getByTestId('login-phone').locator('input').fill('13800000001')
  await page.getByTestId('login-password').locator('input').fill('demo1234')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('home-greeting').waitFor()
  await page.waitForFunction('"ppsSync" in window')

  // Offline for the enqueue phase, so the engine does not push while we measure.
  await context.setOffline(true)
  const times = await page.evaluate(async (n: number) => {
    const hook = (globalThis as unknown as { ppsSync: { enqueueStudyEvent(p: unknown): Promise<string> } }).ppsSync
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await hook.enqueueStudyEvent({ lessonId: `lesson-${i % 50}`, courseId: 'course-1', kind: 'studied', seconds: 60 })
      out.push(performance.now() - t0)
    }
    return out
  }, COUNT)
  times.sort((a, b) => a - b)

  await context.setOffline(false)
  const drainSeconds = await page.evaluate(async () => {
    const hook = (globalThis as unknown as { ppsSync: { syncNow(): Promise<unknown>; pending(): Promise<number> } }).ppsSync
    const t0 = performance.now()
    while ((await hook.pending()) > 0) await hook.syncNow()
    return (performance.now() - t0) / 1000
  })
  console.log(`\nPush sync in Chromium (${browser.version()}), ${new Date().toISOString()}\n`)
  console.log('| measurement | result | target |\n|---|---|---|')
  console.log(`| enqueue in IndexedDB, p50 / p95 / p99 | ${percentile(times, 50).toFixed(2)} / ${percentile(times, 95).toFixed(2)} / ${percentile(times, 99).toFixed(2)} ms | p95 < 5 ms |`)
  console.log(`| drain ${COUNT.toLocaleString('en')} queued records to the server | ${drainSeconds.toFixed(2)} s | ≤ 10 s |`)
} finally {
  await browser.close()
  await server.stop()
}
