/**
 * The training archive, the annual plan and the monthly report as people use them: a member opens
 * their own archive from 我的 on a 360×640 phone (normal and elder mode, as it prints, and offline
 * from the copy kept on the phone); a branch secretary at a desktop-sized window adds an item to the plan and reads the month's report.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../server/db/connect.ts'
import { at, records } from '../server/archive/records.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'
import type { Browser } from 'playwright-core'

const SECRETARY = '13800000004'
const now = new Date()
const [year, month] = [now.getFullYear(), now.getMonth() + 1]

let server: E2eServer
let browser: Browser
let phone: BrowserContext
let member: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  // What the member's phone and the leader's roll call would have pushed this month.
  const { db } = connect({ url: server.dbFile })
  try {
    const person = await db.selectFrom('person').select(['id', 'org_unit_id']).where('phone', '=', PHONES.member).executeTakeFirstOrThrow()
    const leader = await db.selectFrom('person').select('id').where('phone', '=', PHONES.leader).executeTakeFirstOrThrow()
    const lesson = await db.selectFrom('lesson').select(['id', 'course_id']).limit(1).executeTakeFirstOrThrow()
    const r = records(db, person.org_unit_id)
    const day = Math.max(1, now.getDate() - 1)
    await r.study(person.id, lesson.course_id, lesson.id, 'studied', 1800, at(year, month, day))
    const meeting = await r.meeting(person.org_unit_id, leader.id, 'theme_day', '主题党日：学习党章, 重温入党誓词', at(year, month, day))
    await r.mark(meeting, person.org_unit_id, person.id, 'present', leader.id)
  } finally {
    await db.destroy()
  }
  phone = await newPhone(browser, server.url)
  member = await phone.newPage()
  member.on('pageerror', (e) => console.error('page error:', e.message))
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('training archive', () => {
  it('shows a member their own year from 我的, readable in elder mode and printable', async () => {
    await signIn(member, PHONES.member)
    await member.goto('/me')
    await member.getByTestId('me-archive').click()
    await member.getByTestId('archive-totals').waitFor()
    expect(await member.getByTestId('total-hours').innerText()).toBe('0.5')
    expect(await member.getByTestId('total-meetings').innerText()).toBe('1')
    expect(await member.getByTestId('archive-meetings').innerText()).toContain('主题党日：学习党章, 重温入党誓词')
    expect(await axeViolations(member)).toEqual([])
    await screenshot(member, 'archive-member', { andBottom: true })

    await setElder(member, true)
    await member.getByTestId('archive-totals').waitFor()
    await screenshot(member, 'archive-member-elder', { andBottom: true })
    expect(await axeViolations(member)).toEqual([])
    await setElder(member, false)

    // On paper: no navigation bar, no buttons, the tables only.
    await member.getByTestId('archive-totals').waitFor()
    await member.emulateMedia({ media: 'print' })
    expect(await member.getByTestId('archive-print').isVisible()).toBe(false)
    expect(await member.locator('.van-nav-bar').isVisible()).toBe(false)
    await screenshot(member, 'archive-print')
    await member.emulateMedia({ media: 'screen' })

    // Last year has nothing of this.
    await member.getByTestId('archive-year').selectOption(String(year - 1))
    await expect.poll(() => member.getByTestId('total-hours').innerText(), { timeout: 15_000 }).toBe('0')
  })

  it('opens the member’s own archive offline as last read online, saying when that was', async () => {
    await member.goto('/me')
    await member.getByTestId('me-archive').click()
    await member.getByTestId('archive-totals').waitFor()
    expect(await member.getByTestId('total-meetings').innerText()).toBe('1')
    await waitForServiceWorker(member)

    await goOffline(phone)
    try {
      await member.reload()
      const note = member.getByTestId('archive-offline')
      await note.waitFor({ timeout: 30_000 })
      expect(await note.innerText()).toMatch(/^离线数据，更新于 \d+\/\d+ \d\d:\d\d$/)
      expect(await member.getByTestId('total-meetings').innerText()).toBe('1')
      expect(await member.getByTestId('archive-meetings').innerText()).toContain('主题党日：学习党章, 重温入党誓词')
      expect(await axeViolations(member)).toEqual([])
      await screenshot(member, 'archive-offline')

      await setElder(member, true)
      await note.waitFor()
      expect(await axeViolations(member)).toEqual([])
      await screenshot(member, 'archive-offline-elder')
      await setElder(member, false)
    } finally {
      await goOnline(phone)
    }
  })
})

describe('annual plan and monthly report at a desktop window', () => {
  let desk: BrowserContext
  let secretary: Page
  beforeAll(async () => {
    desk = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    desk.setDefaultTimeout(15_000)
    secretary = await desk.newPage()
    await signIn(secretary, SECRETARY)
  })
  afterAll(() => desk?.close())

  it('lets a secretary add a meeting to this month’s plan', async () => {
    await secretary.goto('/manage')
    await secretary.getByTestId('manage-plans').click()
    const thisMonth = secretary.getByTestId(`plan-month-${month}`)
    await thisMonth.waitFor()
    // The demo plan already holds the district's theme day (and in a quarter's last month its Party lecture).
    await thisMonth.getByTestId('plan-inherited').first().waitFor()
    const before = await thisMonth.getByTestId('plan-item').count()
    await secretary.getByTestId(`plan-add-${month}`).click()
    await secretary.getByTestId('plan-meeting-type').selectOption('party_lecture')
    expect(await secretary.getByTestId('plan-title').locator('input').inputValue()).toBe('党课')
    expect(await axeViolations(secretary)).toEqual([])
    await screenshot(secretary, 'plan-add-desktop')
    await secretary.getByTestId('plan-save').click()
    await expect.poll(() => thisMonth.getByTestId('plan-item').count(), { timeout: 15_000 }).toBe(before + 1)
    expect(await thisMonth.innerText()).toContain('党课')
    await secretary.reload()
    await expect.poll(() => secretary.getByTestId(`plan-month-${month}`).getByTestId('plan-item').count(), { timeout: 15_000 }).toBe(before + 1)
    expect(await axeViolations(secretary)).toEqual([])
    await screenshot(secretary, 'plan-desktop')
  })

  it('shows the month’s report against the plan and the previous month', async () => {
    await secretary.goto('/manage')
    await secretary.getByTestId('manage-monthly-report').click()
    await secretary.getByTestId('report-figures').waitFor()
    expect(await secretary.getByTestId('report-row-studyHours').innerText()).toMatch(/0\.5\s+0\s+\+0\.5/)
    expect(await secretary.getByTestId('report-meetings').innerText()).toMatch(new RegExp(`党课\\s+0 / ${month % 3 === 0 ? 2 : 1}`))
    expect(await secretary.getByTestId('report-meetings').innerText()).toMatch(/主题党日\s+1 \/ 1/)
    expect(await axeViolations(secretary)).toEqual([])
    await screenshot(secretary, 'monthly-report-desktop')

    // The same screens on a secretary's phone, in elder mode too.
    await secretary.setViewportSize({ width: 360, height: 640 })
    await screenshot(secretary, 'monthly-report-phone', { andBottom: true })
    await setElder(secretary, true)
    await secretary.getByTestId('report-figures').waitFor()
    await screenshot(secretary, 'monthly-report-phone-elder')
    await secretary.goto('/manage/plans')
    await secretary.getByTestId(`plan-month-${month}`).getByTestId('plan-item').first().waitFor()
    expect(await axeViolations(secretary)).toEqual([])
    await screenshot(secretary, 'plan-phone-elder')
    await setElder(secretary, false)
    await secretary.setViewportSize({ width: 1280, height: 800 })
  })

  it('lets a leader find a member and open their archive', async () => {
    await secretary.goto('/manage/archive')
    await secretary.getByTestId('archive-person').first().waitFor()
    expect(await axeViolations(secretary)).toEqual([])
    await screenshot(secretary, 'archive-people-desktop')
    await secretary.getByTestId('archive-person').first().click()
    await secretary.getByTestId('archive-totals').waitFor()
    expect(secretary.url()).toMatch(/\/archive\/[0-9a-f-]{36}/)
  })
})
