/**
 * The Content-Security-Policy the server sends is one the built PWA really runs under: a group
 * leader signs in, opens every main tab (study and a lesson with audio, the pocket book and its
 * search, the quiz list and a quiz, the attendance tab and a meeting's QR code), then reloads
 * offline from the service worker. Chromium reports every blocked (or, under
 * CSP_REPORT_ONLY=1, would-be blocked) load as a `securitypolicyviolation` event and a console
 * message; the test collects both, across navigations, and expects none.
 */
import { describe, expect, it } from 'vitest'
import { goOffline, PHONES, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const LESSON = 'three-meetings-one-lesson-01'
const QUIZ = 'quiz-constitution-basics'

const phone = usePhone()
const violations: string[] = []

describe('Content-Security-Policy', () => {
  it('blocks nothing the app does, online and offline', async () => {
    const { page, context, server } = phone
    const header = (await fetch(`${server.url}/`)).headers
    const policy = header.get('content-security-policy') ?? header.get('content-security-policy-report-only')
    expect(policy).toContain("script-src 'self'")

    // Survives reloads: the binding lives on the context, the listener is added to every document.
    await context.exposeBinding('reportCspViolation', (_source, text: string) => void violations.push(text))
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation
        report(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`)
      })
    })
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(`console: ${message.text()}`)
    })

    await signIn(page, PHONES.leader)
    await waitForServiceWorker(page)

    await page.getByTestId('tab-study').click()
    await page.getByTestId('course-three-meetings-one-lesson').first().waitFor({ timeout: 30_000 })
    await page.goto(`/study/lesson/${LESSON}`)
    await page.getByTestId('lesson-title').waitFor()

    await page.goto('/pocket')
    await page.getByTestId('pocket-category-law').waitFor()
    await page.goto('/search')
    await page.getByTestId('search-input').locator('input').fill('宅基地')
    await page.keyboard.press('Enter')
    await page.waitForTimeout(500)

    await page.goto('/quiz')
    await page.getByTestId(`quiz-${QUIZ}`).click({ timeout: 30_000 })
    await page.getByTestId('quiz-progress').waitFor()

    // A meeting and its QR code (an inline SVG made on the phone).
    await page.goto('/attendance/new')
    await page.getByTestId('meeting-topic').locator('input').fill('学习党章')
    await page.getByTestId('meeting-place').locator('input').fill('村委会')
    await page.getByTestId('meeting-submit').click()
    await page.getByTestId('all-present').waitFor()
    await page.getByTestId('show-code').click()
    await expect.poll(() => page.locator('.qr svg').count()).toBe(1)

    await goOffline(context)
    await page.reload()
    await page.getByTestId('checkin-code').waitFor()
    await page.goto('/')
    await page.getByTestId('home-greeting').waitFor()

    // Vant's icons come from its inlined font, not from a CDN the policy (and the offline phone) refuses.
    const iconFont = await page.evaluate(async () => {
      await document.fonts.ready
      return [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'vant-icon').map((f) => f.status)
    })
    expect(iconFont).toContain('loaded')
    expect(violations).toEqual([])
  })
})
