/**
 * Screenshots of the library screens at 360×640 in zh-CN, normal and elder mode, for a person
 * to look at (tests/e2e/screenshots/library-*.png). Also checks nothing overflows sideways.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from '../support/axe.ts'
import { launchBrowser, newPhone, PHONES, screenshot, signIn } from '../support/browser.ts'
import { startServer, type E2eServer } from '../support/server.ts'

let server: E2eServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  context = await newPhone(browser, server.url)
  page = await context.newPage()
  await signIn(page, PHONES.member)
})
afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

/** No sideways scrolling at 360 px, and no serious or critical axe violations. */
async function noSidewaysScroll(): Promise<void> {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(wide).toBeLessThanOrEqual(360)
  expect(await axeViolations(page), `axe on ${new URL(page.url()).pathname}`).toEqual([])
}

async function shoot(mode: 'normal' | 'elder'): Promise<void> {
  await page.evaluate((on) => localStorage.setItem('pps.elderMode', on ? '1' : '0'), mode === 'elder')
  await page.goto('/study')
  await page.getByTestId('course-three-meetings-one-lesson').first().waitFor()
  await page.evaluate(() => document.querySelectorAll('img').forEach((i) => i.decode().catch(() => undefined)))
  await noSidewaysScroll()
  await screenshot(page, `library-study-${mode}`)

  await page.goto('/study/course/three-meetings-one-lesson')
  await page.getByTestId('course-download').waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-course-${mode}`)

  await page.goto('/study/lesson/three-meetings-one-lesson-01')
  await page.getByTestId('lesson-title').waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-lesson-${mode}`)

  await page.goto('/pocket')
  await page.getByTestId('pocket-category-law').waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-pocket-${mode}`)

  await page.goto('/pocket/entry/pocket-law-001')
  await page.getByTestId('entry-title').waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-entry-${mode}`)

  await page.goto('/search?q=宅基地')
  await page.locator('[data-testid="search-results"] > a').first().waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-search-${mode}`)

  // The lesson opened above is what home offers to continue.
  await page.goto('/')
  await page.getByTestId('home-continue').waitFor()
  await page.getByTestId('home-today').waitFor()
  await noSidewaysScroll()
  await screenshot(page, `library-home-${mode}`)
}

describe('library screens at 360×640', () => {
  it('renders study, course, lesson, pocket book, entry and search in normal mode', async () => {
    await shoot('normal')
  })
  it('renders them in elder mode', async () => {
    await shoot('elder')
  })
})
