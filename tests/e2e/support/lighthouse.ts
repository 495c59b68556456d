/**
 * Lighthouse (mobile preset, its default simulated throttling: a mid-range phone on slow 4G)
 * against Debian's Chromium, started with a DevTools port so Lighthouse and Playwright can drive
 * the same browser: Playwright signs in, Lighthouse then measures with the session kept.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import lighthouse from 'lighthouse'
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js'
import { chromium, type Browser } from 'playwright-core'

export interface LighthouseFigures {
  performance: number
  accessibility: number
  fcpMs: number
  lcpMs: number
  tbtMs: number
  cls: number
  /** Lighthouse's measure of this machine's speed just before the run (a free desktop: 1000 and more). */
  benchmarkIndex: number
  /** The CPU slowdown used: 4 (the default) unless the machine was slower than a desktop then. */
  cpuSlowdown: number
  /** Accessibility audits that failed, and what shifted or was the LCP: read when a budget fails. */
  failedAccessibility: string[]
  notes: string
}

export interface LighthouseChromium {
  port: number
  /** Playwright attached to the same browser (its default context is the profile Lighthouse uses). */
  browser: Browser
  close(): Promise<void>
}

export async function launchForLighthouse(): Promise<LighthouseChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'pps-lh-'))
  const port = 9300 + Math.floor(Math.random() * 600)
  const chrome: ChildProcess = spawn(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  )
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/json/version`)).ok) break
    } catch {
      if (Date.now() > deadline) throw new Error('Chromium did not open its DevTools port')
    }
    await sleep(200)
  }
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`)
  return {
    port,
    browser,
    async close() {
      await browser.close().catch(() => undefined)
      if (chrome.exitCode === null) {
        const exited = new Promise((resolve) => chrome.once('exit', resolve))
        chrome.kill()
        await exited
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 })
    },
  }
}

/**
 * The mobile preset's 4× CPU slowdown turns a desktop-class machine (Lighthouse's benchmark index
 * 1000 and more) into the phone it models. A machine slowed by other work (8 sessions on 2 cores
 * measure 200–600) needs less, or Lighthouse scores a phone several times slower than the one it
 * models: the slowdown is scaled to the speed measured just before the run, never above 4.
 */
const DESKTOP_INDEX = 1000
const DEFAULT_SLOWDOWN = 4

async function machineIndex(browser: Browser): Promise<number> {
  const page = await browser.contexts()[0]!.newPage()
  try {
    return await page.evaluate(pageFunctions.computeBenchmarkIndex)
  } finally {
    await page.close()
  }
}

/** One Lighthouse run. `keepStorage`: the page opens as the phone left it (signed in, service worker). */
export async function runLighthouse(chrome: LighthouseChromium, url: string, { keepStorage = false } = {}): Promise<LighthouseFigures> {
  const benchmarkIndex = Math.round(await machineIndex(chrome.browser))
  const cpuSlowdown = Math.max(1, Math.min(DEFAULT_SLOWDOWN, (DEFAULT_SLOWDOWN * benchmarkIndex) / DESKTOP_INDEX))
  const result = await lighthouse(
    url,
    { port: chrome.port, logLevel: 'error', onlyCategories: ['performance', 'accessibility'], disableStorageReset: keepStorage },
    { extends: 'lighthouse:default', settings: { throttling: { cpuSlowdownMultiplier: cpuSlowdown } } },
  )
  if (!result) throw new Error('Lighthouse returned no result')
  const { lhr } = result
  const audit = (id: string) => lhr.audits[id]!
  const a11yIds = new Set(lhr.categories.accessibility!.auditRefs.map((r) => r.id))
  const failedAccessibility = Object.values(lhr.audits)
    .filter((a) => a11yIds.has(a.id) && a.score !== null && a.score < 1)
    .map((a) => a.id)
  const shifted = JSON.stringify(audit('layout-shifts').details ?? {}).slice(0, 600)
  const lcpElement = JSON.stringify(audit('largest-contentful-paint-element').details ?? {}).slice(0, 400)
  return {
    performance: Math.round((lhr.categories.performance!.score ?? 0) * 100),
    accessibility: Math.round((lhr.categories.accessibility!.score ?? 0) * 100),
    fcpMs: Math.round(audit('first-contentful-paint').numericValue ?? NaN),
    lcpMs: Math.round(audit('largest-contentful-paint').numericValue ?? NaN),
    tbtMs: Math.round(audit('total-blocking-time').numericValue ?? NaN),
    cls: audit('cumulative-layout-shift').numericValue ?? NaN,
    benchmarkIndex,
    cpuSlowdown: Math.round(cpuSlowdown * 10) / 10,
    failedAccessibility,
    notes: `layout shifts: ${shifted}\nLCP element: ${lcpElement}`,
  }
}
