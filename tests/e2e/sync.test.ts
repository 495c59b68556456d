/**
 * The outbox in a real Chromium against the real server: writes made offline survive a reload
 * and a closed page and arrive exactly once when the network returns; a server killed in the
 * middle of a sync (after committing a batch, before answering) loses nothing and doubles
 * nothing once it is back.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import SQLite from 'better-sqlite3'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../server/db/connect.ts'
import { migrateToLatest } from '../../server/db/migrate.ts'
import { seedDemo } from '../../server/seed/demo.ts'
import { TEST_COST } from '../support/testApp.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { ROOT } from './support/server.ts'

/** The real server as a child process that the test can kill hard and start again on the same port and database. */
class RestartableServer {
  private child: ChildProcess | undefined
  readonly dir = mkdtempSync(join(tmpdir(), 'pps-sync-e2e-'))
  readonly dbFile = join(this.dir, 'db.sqlite')
  readonly staticDir = join(this.dir, 'dist')
  port = 0
  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  async init(): Promise<void> {
    cpSync(join(ROOT, 'dist'), this.staticDir, { recursive: true })
    const handle = connect({ url: this.dbFile })
    await migrateToLatest(handle.db)
    await seedDemo(handle.db, { passwordCost: TEST_COST })
    await handle.db.destroy()
    this.port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    await this.start()
  }

  async start(): Promise<void> {
    let log = ''
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), HOST: '127.0.0.1', DATABASE_URL: this.dbFile, STATIC_DIR: this.staticDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()))
    this.child = child
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited: ${log}`)
      if (await fetch(`${this.url}/api/health`).then((r) => r.ok, () => false)) return
      await sleep(150)
    }
    throw new Error(`server did not start: ${log}`)
  }

  /** Starts the server again if a failed test left it dead, so later tests still have one. */
  async ensureRunning(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) await this.start()
  }

  /** SIGKILL: no graceful close, like a crashed or redeployed instance. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
  }

  async dispose(): Promise<void> {
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** Study events on the server for the given ids, counted by id. */
  stored(ids: string[]): Map<string, number> {
    const db = new SQLite(this.dbFile, { readonly: true })
    try {
      const counts = new Map<string, number>()
      const rows = db.prepare('select id from study_event').all() as { id: string }[]
      const wanted = new Set(ids)
      for (const { id } of rows) if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1)
      return counts
    } finally {
      db.close()
    }
  }
}

async function enqueueInPage(page: Page, from: number, n: number): Promise<string[]> {
  await page.waitForFunction(() => 'ppsSync' in window)
  return page.evaluate(
    async ({ from, n }) => {
      const hook = (window as unknown as { ppsSync: { enqueueStudyEvent(p: unknown): Promise<string> } }).ppsSync
      const ids: string[] = []
      for (let i = from; i < from + n; i++) {
        ids.push(await hook.enqueueStudyEvent({ lessonId: `lesson-${i % 7}`, courseId: 'course-e2e', kind: 'studied', seconds: 30 + i }))
      }
      return ids
    },
    { from, n },
  )
}

async function pendingOnMePage(page: Page): Promise<number> {
  return Number(await page.getByTestId('sync-pending').getAttribute('data-count'))
}

let server: RestartableServer
let browser: Browser

beforeAll(async () => {
  server = new RestartableServer()
  ;[, browser] = await Promise.all([server.init(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await server?.dispose()
})

async function phone(): Promise<BrowserContext> {
  const context = await newPhone(browser, server.url)
  await context.addInitScript(() => localStorage.setItem('pps:e2e', '1'))
  return context
}

describe('outbox and push sync in Chromium', () => {
  it('keeps offline writes through a reload and a closed page, and delivers each once when online', async () => {
    const context = await phone()
    let page = await context.newPage()
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)

    await goOffline(context)
    const ids = await enqueueInPage(page, 0, 3)
    await page.reload()
    ids.push(...(await enqueueInPage(page, 3, 2)))
    await page.goto('/me')
    await expect.poll(() => pendingOnMePage(page)).toBe(5)
    expect(await page.getByTestId('tab-me').textContent()).toContain('5')
    await screenshot(page, 'sync-me-waiting')

    // The member closes the app while still offline, and opens it again later.
    await page.close()
    page = await context.newPage()
    await page.goto('/me')
    await expect.poll(() => pendingOnMePage(page)).toBe(5)
    expect(server.stored(ids).size).toBe(0)

    await goOnline(context)
    await expect.poll(() => pendingOnMePage(page), { timeout: 20_000 }).toBe(0)
    const stored = server.stored(ids)
    expect(stored.size).toBe(5)
    expect([...stored.values()].every((n) => n === 1)).toBe(true)
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/上次同步/)
    await screenshot(page, 'sync-me-synced')

    // Elder mode at 360 px: the sync card still fits, and "sync now" is a big enough target.
    await page.getByTestId('elder-switch').click()
    await page.getByTestId('sync-status').scrollIntoViewIfNeeded()
    const button = await page.getByTestId('sync-now').boundingBox()
    expect(button!.height).toBeGreaterThanOrEqual(44)
    expect(button!.x + button!.width).toBeLessThanOrEqual(360)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'sync-me-elder')
    await page.getByTestId('elder-switch').click()
    await context.close()
  })

  it('loses and doubles nothing when the server dies after committing a batch and comes back', async () => {
    const context = await phone()
    const page = await context.newPage()
    try {
      await signIn(page, PHONES.member)
      await waitForServiceWorker(page)
      await goOffline(context)
      const ids = await enqueueInPage(page, 100, 1200)

      // The second batch reaches the server and is committed; the server is then killed before
      // its answer gets back, so the phone must resend a batch the server already holds. The
      // route is in place before the network returns, so the 'online' push meets it.
      let pushes = 0
      let killed = false
      await context.route('**/api/v1/sync/push', async (route) => {
        pushes++
        if (pushes !== 2 || killed) return route.continue()
        const response = await route.fetch()
        expect(response.status()).toBe(200)
        killed = true
        await server.kill()
        await route.abort('connectionreset')
      })
      await context.unroute('**/*')
      await context.setOffline(false)
      await page.goto('/me')
      await expect.poll(() => killed, { timeout: 20_000 }).toBe(true)
      const midway = server.stored(ids).size
      expect(midway).toBeGreaterThan(0)
      expect(midway).toBeLessThan(ids.length)
      expect(await pendingOnMePage(page)).toBeGreaterThan(0)

      await server.start()
      await expect.poll(() => pendingOnMePage(page), { timeout: 30_000 }).toBe(0)
      const stored = server.stored(ids)
      expect(stored.size).toBe(ids.length)
      expect([...stored.values()].every((n) => n === 1)).toBe(true)
    } finally {
      await server.ensureRunning()
      await context.close()
    }
  })

  it('lists a refused record with a plain reason, and lets the member correct or discard it', async () => {
    const context = await phone()
    const page = await context.newPage()
    await signIn(page, PHONES.member)
    await page.goto('/me')
    await page.waitForFunction(() => 'ppsSync' in window)
    const [tooLong, discarded] = await page.evaluate(async () => {
      const hook = (window as unknown as { ppsSync: { enqueueStudyEvent(p: unknown): Promise<string> } }).ppsSync
      return [
        await hook.enqueueStudyEvent({ lessonId: 'lesson-x', courseId: 'course-e2e', kind: 'studied', seconds: 200_000 }),
        await hook.enqueueStudyEvent({ lessonId: 'lesson-y', courseId: 'course-e2e', kind: 'studied', seconds: 300_000 }),
      ]
    })
    await expect.poll(() => pendingOnMePage(page), { timeout: 15_000 }).toBe(0)
    await page.getByTestId('sync-refused-link').click()
    await expect.poll(() => page.getByTestId('refused-row').count()).toBe(2)
    const row = page.locator(`[data-testid="refused-row"][data-id="${tooLong}"]`)
    expect(await row.getByTestId('refused-reason').textContent()).toContain('学习时长')
    expect(await axeViolations(page)).toEqual([])
    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, 'sync-refused')

    // Correct it: 200,000 s is more than a day; the member enters 30 minutes and sends it again.
    // It goes out under a new id (the server would answer the old one with its old refusal), and
    // the refused row stays to say what became of it.
    await row.getByTestId('refused-fix-minutes').locator('input').fill('30')
    await row.getByTestId('refused-send').click()
    await expect.poll(() => row.getByTestId('refused-correction').getAttribute('data-state'), { timeout: 15_000 }).toBe('accepted')
    expect(await row.getByTestId('refused-correction').textContent()).toContain('已更正重发')
    expect(server.stored([tooLong!]).size).toBe(0)
    const db = new SQLite(server.dbFile, { readonly: true })
    expect(db.prepare('select count(*) as n from study_event where seconds = 1800 and lesson_id = ?').get('lesson-x')).toEqual({ n: 1 })
    db.close()
    await screenshot(page, 'sync-refused-corrected')

    // Discard the other after confirming; the corrected one leaves the list when the member removes it.
    await page.locator(`[data-testid="refused-row"][data-id="${discarded}"]`).getByTestId('refused-discard').click()
    await page.locator('.van-dialog__confirm').click()
    await expect.poll(() => page.getByTestId('refused-row').count()).toBe(1)
    await row.getByTestId('refused-discard').click()
    await expect.poll(() => page.getByTestId('refused-row').count()).toBe(0)
    expect(server.stored([discarded!]).size).toBe(0)
    await context.close()
  })

  it('recovers within seconds after lost answers, 500s and 429s, one push at a time, and says what is happening', async () => {
    const context = await phone()
    const page = await context.newPage()
    try {
      await signIn(page, PHONES.member)
      await waitForServiceWorker(page)
      await page.goto('/me')
      await expect.poll(() => pendingOnMePage(page), { timeout: 15_000 }).toBe(0)

      // A fault layer between the phone (page and service worker) and the server.
      let phase: 'drop' | 'error' | 'busy' | 'clear' = 'drop'
      let inFlight = 0
      let maxInFlight = 0
      const pushes: Array<{ at: number; body: string; phase: string }> = []
      await context.route('**/api/v1/sync/push', async (route) => {
        const body = route.request().postData() ?? ''
        pushes.push({ at: Date.now(), body, phase })
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        try {
          if (phase === 'drop') {
            // The server applies the batch; its answer never reaches the phone.
            await route.fetch()
            await route.abort('connectionreset')
          } else if (phase === 'error') {
            await route.fulfill({ status: 500, json: { statusCode: 500, code: 'INTERNAL', message: 'boom' } })
          } else if (phase === 'busy') {
            await route.fulfill({ status: 429, headers: { 'retry-after': '3' }, json: { statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' } })
          } else {
            await route.continue()
          }
        } finally {
          inFlight--
        }
      })
      const banner = page.getByTestId('offline-banner')
      const statusText = () => page.getByTestId('sync-status').textContent()

      const ids = await enqueueInPage(page, 9000, 5)
      await expect.poll(() => banner.getAttribute('data-state'), { timeout: 15_000 }).toBe('answerLost')
      expect(await banner.textContent()).toContain('没有收到服务器的回复')
      expect(await statusText()).toContain('没有收到服务器的回复')
      await screenshot(page, 'sync-fault-answer-lost')

      phase = 'error'
      await expect.poll(() => banner.getAttribute('data-state'), { timeout: 15_000 }).toBe('busy')
      expect(await banner.textContent()).toMatch(/服务器繁忙.*\d{2}:\d{2}:\d{2}/)
      expect(await statusText()).toContain('服务器繁忙')

      phase = 'busy'
      const before = pushes.length
      await expect.poll(() => pushes.slice(before).some((p) => p.phase === 'busy'), { timeout: 15_000 }).toBe(true)
      // A tap on 立即同步 during the faults tries at once.
      const tapped = pushes.length
      await page.getByTestId('sync-now').click()
      await expect.poll(() => pushes.length, { timeout: 3_000 }).toBeGreaterThan(tapped)
      await expect.poll(() => banner.getAttribute('data-state')).toBe('busy')
      expect(await axeViolations(page)).toEqual([])
      await page.getByTestId('sync-now').scrollIntoViewIfNeeded()
      await screenshot(page, 'sync-fault-busy')
      await page.getByTestId('elder-switch').click()
      await page.getByTestId('sync-now').scrollIntoViewIfNeeded()
      expect(await axeViolations(page)).toEqual([])
      await screenshot(page, 'sync-fault-busy-elder')
      await page.getByTestId('elder-switch').click()

      // The faults clear; nobody touches the phone.
      phase = 'clear'
      const clearedAt = Date.now()
      await expect.poll(() => pendingOnMePage(page), { timeout: 15_000, interval: 100 }).toBe(0)
      const drainedAfterMs = Date.now() - clearedAt
      console.info(`outbox empty ${drainedAfterMs} ms after the faults cleared; pushes:`, pushes.map((p) => `${p.phase}@${p.at - clearedAt} ${p.body.length}`).join(', '))
      expect(drainedAfterMs).toBeLessThan(12_000)
      await expect.poll(() => banner.count()).toBe(0)

      const stored = server.stored(ids)
      expect(stored.size).toBe(5)
      expect([...stored.values()].every((n) => n === 1)).toBe(true)
      // One push in flight per phone, and never the same batch twice within a moment.
      expect(maxInFlight).toBe(1)
      // (The tap is the one push allowed to follow another at once: a person asked for it.)
      for (let i = 1; i < pushes.length; i++) {
        if (i !== tapped && pushes[i]!.body === pushes[i - 1]!.body) expect(pushes[i]!.at - pushes[i - 1]!.at).toBeGreaterThan(300)
      }
    } finally {
      await context.close()
    }
  })

  it('lets the service worker deliver with every tab closed (Background Sync, Chromium)', async () => {
    const context = await phone()
    const page = await context.newPage()
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)
    await goOffline(context)
    const ids = await enqueueInPage(page, 5000, 3)
    // The page asked for a `sync` event because the phone is offline; now the member leaves.
    await expect
      .poll(() => page.evaluate(async () => (await (await navigator.serviceWorker.ready) as unknown as { sync: { getTags(): Promise<string[]> } }).sync.getTags()))
      .toContain('pocket-party-school-push')
    await page.close()
    await goOnline(context)
    await expect.poll(() => server.stored(ids).size, { timeout: 30_000 }).toBe(3)
    await context.close()
  })

  it('carries study done offline in the real lesson reader to the training record, once', async () => {
    const context = await phone()
    const page = await context.newPage()
    await signIn(page, PHONES.member)
    await waitForServiceWorker(page)
    // Online once, so the library is pulled into the phone.
    await page.goto('/study/lesson/three-meetings-one-lesson-01')
    await expect.poll(() => page.getByTestId('lesson-title').textContent(), { timeout: 20_000 }).toContain('三会一课')
    await page.goto('/me')
    await expect.poll(() => pendingOnMePage(page), { timeout: 15_000 }).toBe(0)

    await goOffline(context)
    await page.goto('/study/lesson/three-meetings-one-lesson-02')
    await page.getByTestId('lesson-title').waitFor()
    await page.getByTestId('lesson-complete').click()
    // The reader shows "completed" once its transaction (progress + outbox record) committed.
    await expect.poll(() => page.getByTestId('lesson-complete').isDisabled()).toBe(true)
    await page.reload()
    await page.goto('/me')
    await expect.poll(() => pendingOnMePage(page)).toBeGreaterThanOrEqual(2)
    const ids = await page.evaluate(() => (window as unknown as { ppsSync: { outboxIds(): Promise<string[]> } }).ppsSync.outboxIds())
    expect(server.stored(ids).size).toBe(0)

    await goOnline(context)
    await expect.poll(() => pendingOnMePage(page), { timeout: 20_000 }).toBe(0)
    const stored = server.stored(ids)
    expect(stored.size).toBe(ids.length)
    expect([...stored.values()].every((n) => n === 1)).toBe(true)
    const db = new SQLite(server.dbFile, { readonly: true })
    const kinds = db
      .prepare(`select e.kind from study_event e join person p on p.id = e.person_id where p.phone = ? and e.lesson_id = ?`)
      .all(PHONES.member, 'three-meetings-one-lesson-02') as { kind: string }[]
    db.close()
    expect(kinds.filter((k) => k.kind === 'completed')).toHaveLength(1)
    expect(kinds.some((k) => k.kind === 'opened')).toBe(true)
    await context.close()
  })
})
