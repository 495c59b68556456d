/**
 * Screenshots of the library screens at 360×640 in zh-CN, normal and elder mode, for a person
 * to look at (tests/e2e/screenshots/library-*.png). Also checks nothing overflows sideways.
 */
import { describe, expect, it } from 'vitest'
import { axeViolations } from '../support/axe.ts'
import { PHONES, screenshot, usePhone } from '../support/browser.ts'

const phone = usePhone(PHONES.member)

/** No sideways scrolling at 360 px, and no serious or critical axe violations. */
async function noSidewaysScroll(): Promise<void> {
  const wide = await phone.page.evaluate(() => document.documentElement.scrollWidth)
  expect(wide).toBeLessThanOrEqual(360)
  expect(await axeViolations(phone.page), `axe on ${new URL(phone.page.url()).pathname}`).toEqual([])
}

async function shoot(mode: 'normal' | 'elder'): Promise<void> {
  await phone.page.evaluate((on) => localStorage.setItem('pps.elderMode', on ? '1' : '0'), mode === 'elder')
  await phone.page.goto('/study')
  await phone.page.getByTestId('course-three-meetings-one-lesson').first().waitFor()
  await phone.page.evaluate(() => document.querySelectorAll('img').forEach((i) => i.decode().catch(() => undefined)))
  await noSidewaysScroll()
  await screenshot(phone.page, `library-study-${mode}`)

  await phone.page.goto('/study/course/three-meetings-one-lesson')
  await phone.page.getByTestId('course-download').waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-course-${mode}`)

  await phone.page.goto('/study/lesson/three-meetings-one-lesson-01')
  await phone.page.getByTestId('lesson-title').waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-lesson-${mode}`)

  await phone.page.goto('/pocket')
  await phone.page.getByTestId('pocket-category-law').waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-pocket-${mode}`)

  await phone.page.goto('/pocket/entry/pocket-law-001')
  await phone.page.getByTestId('entry-title').waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-entry-${mode}`)

  await phone.page.goto('/search?q=宅基地')
  await phone.page.locator('[data-testid="search-results"] > a').first().waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-search-${mode}`)

  // The lesson opened above is what home offers to continue.
  await phone.page.goto('/')
  await phone.page.getByTestId('home-continue').waitFor()
  await phone.page.getByTestId('home-today').waitFor()
  await noSidewaysScroll()
  await screenshot(phone.page, `library-home-${mode}`)
}

describe('library screens at 360×640', () => {
  it('renders study, course, lesson, pocket book, entry and search in normal mode', async () => {
    await shoot('normal')
  })
  it('renders them in elder mode', async () => {
    await shoot('elder')
  })
})
