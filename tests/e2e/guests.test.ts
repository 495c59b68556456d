/**
 * Guest check-in anywhere, on three phones: the leader of a group in another branch (the host)
 * creates a meeting offline, picking the lesson from the phone's library, and shows its code; a
 * flowing member working there types the code offline. Both come back online (the member's phone
 * first: the check-in waits on the server for the meeting). The host's roll call lists the guest
 * apart, the member's history shows it credited to home, and the home group leader's overview
 * counts it.
 */
import Database from 'better-sqlite3'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

const FLOWING_PHONE = '13800000002'

let server: E2eServer
let browser: Browser
const contexts: BrowserContext[] = []
let host: Page
let guest: Page
let homeLeader: Page

async function phone(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await newPhone(browser, server.url)
  contexts.push(ctx)
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.error('page error:', e.message))
  return { ctx, page }
}

/** A group leader whose branch is not the flowing member's (read from the server's database). */
function hostLeaderPhone(): string {
  const db = new Database(server.dbFile, { readonly: true })
  try {
    const row = db
      .prepare(
        `select p.phone from role r join org_unit g on g.id = r.org_unit_id join person p on p.id = r.person_id
         where r.role = 'group_leader' and g.parent_id <> (
           select u.parent_id from person f join org_unit u on u.id = f.org_unit_id where f.phone = ?)
         order by p.phone limit 1`,
      )
      .get(FLOWING_PHONE) as { phone: string }
    return row.phone
  } finally {
    db.close()
  }
}

/** The QR token the leader's phone made with the meeting (what its QR code carries). */
function meetingToken(page: Page, meetingId: string): Promise<string> {
  return page.evaluate(
    (id) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('pocket-party-school')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const req = open.result.transaction('meetings', 'readonly').objectStore('meetings').get(id)
          req.onsuccess = () => {
            open.result.close()
            resolve(req.result?.checkinToken)
          }
        }
      }),
    meetingId,
  )
}

function outboxCount(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('pocket-party-school')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const req = open.result.transaction('outbox', 'readonly').objectStore('outbox').count()
          req.onsuccess = () => {
            open.result.close()
            resolve(req.result)
          }
        }
      }),
  )
}

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

let hostCtx: BrowserContext
let guestCtx: BrowserContext

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  ;({ ctx: hostCtx, page: host } = await phone())
  ;({ ctx: guestCtx, page: guest } = await phone())
  ;({ page: homeLeader } = await phone())
}, 120_000)
afterAll(async () => {
  for (const ctx of contexts) await ctx.close()
  await browser?.close()
  await server?.stop()
})

describe('a flowing member checks in as a guest at another branch’s meeting', () => {
  let meetingId = ''
  let topic = ''

  it('creates the meeting and checks in with both phones offline', async () => {
    await Promise.all([signIn(host, hostLeaderPhone()), signIn(guest, FLOWING_PHONE)])
    await Promise.all([waitForServiceWorker(host), waitForServiceWorker(guest)])
    await host.getByTestId('tab-attendance').click()
    await host.getByTestId('attendance-new').waitFor()
    await guest.goto('/attendance')
    await guest.getByTestId('attendance-checkin').waitFor()
    // The library has reached the host's phone (the lesson picker reads it offline).
    await host.goto('/study')
    await host.locator('.course-card, [data-testid^="course-"]').first().waitFor({ timeout: 30_000 })
    await host.goto('/attendance')
    await host.getByTestId('attendance-new').waitFor()

    await Promise.all([goOffline(hostCtx), goOffline(guestCtx)])

    await host.getByTestId('attendance-new').click()
    await host.getByTestId('meeting-lesson').click()
    // Course, then lesson: each level is its own list in the cascader.
    await host.locator('.van-cascader__options').nth(0).locator('.van-cascader__option').first().click()
    await host.locator('.van-cascader__options').nth(1).locator('.van-cascader__option').first().click()
    // The lesson's title becomes the topic when none was typed.
    await expect.poll(() => host.getByTestId('meeting-topic').locator('input').inputValue()).not.toBe('')
    topic = await host.getByTestId('meeting-topic').locator('input').inputValue()
    expect(await host.getByTestId('meeting-lesson').textContent()).toContain(topic)
    await host.getByTestId('meeting-place').locator('input').fill('园区党群服务中心')
    // Started ten minutes ago (the form proposes the next five minutes): "held" for the overview.
    const started = await host.evaluate(() => new Date(Date.now() - 10 * 60_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16))
    await host.getByTestId('meeting-starts').locator('input').fill(started)
    await host.getByTestId('meeting-submit').click()
    await host.getByTestId('all-present').waitFor()
    meetingId = host.url().split('/').at(-1)!
    await host.getByTestId('show-code').click()
    const code = (await host.getByTestId('checkin-code').textContent())!.trim()
    expect(code).toMatch(/^\d{6}$/)

    // The guest's camera app opens the QR code's link (meeting, code and token; see scan.test.ts
    // for the in-app scanner): the token credits the home branch without review.
    const token = await meetingToken(host, meetingId)
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/)
    await guest.goto(`/attendance/checkin?m=${meetingId}&c=${code}&t=${token}`)
    await guest.getByTestId('checkin-submit').click()
    await guest.getByTestId('checkin-done').waitFor()
    await expect.poll(() => guest.getByTestId('checkin-row').first().textContent()).toContain('待上传')
  }, 180_000)

  it('shows the guest on the host’s roll call and credits the member’s home branch once both are online', async () => {
    await goOnline(guestCtx)
    await expect.poll(() => outboxCount(guest), { timeout: 30_000 }).toBe(0)
    await goOnline(hostCtx)
    await expect.poll(() => outboxCount(host), { timeout: 30_000 }).toBe(0)

    // Host: the guest is listed apart from the group's own roster, with their home unit.
    await host.goto(`/attendance/meeting/${meetingId}`)
    const guests = host.getByTestId('roll-guests')
    await expect.poll(() => guests.textContent(), { timeout: 20_000 }).toContain('党支部 第一党小组')
    expect(await guests.textContent()).toContain('已签到')
    await expect.poll(() => host.locator('[data-testid^="roll-row-"]').count()).toBe(12)
    await guests.scrollIntoViewIfNeeded()
    await screenshot(host, 'guests-rollcall')
    expect(await axeViolations(host)).toEqual([])
    await setElder(host, true)
    await host.getByTestId('roll-guests').scrollIntoViewIfNeeded()
    await screenshot(host, 'guests-rollcall-elder')
    await setElder(host, false)
    // The host's overview counts the meeting and its guest (not in the host's rate).
    await host.goto('/attendance/overview')
    await expect.poll(() => host.getByTestId('overview-meeting').first().textContent(), { timeout: 20_000 }).toContain('来宾 1')
    await screenshot(host, 'guests-overview-host', { andBottom: true })
    expect(await axeViolations(host)).toEqual([])

    // Member: the check-in names the host's meeting; "my attendance" shows it credited at home.
    await guest.goto('/attendance/checkin')
    await expect.poll(() => guest.getByTestId('checkin-row').first().textContent(), { timeout: 20_000 }).toContain('签到成功')
    expect(await guest.getByTestId('checkin-row').first().textContent()).toContain(topic)
    await guest.goto('/attendance')
    const credited = guest.getByTestId('my-attendance-flowing').filter({ hasText: '外地会议签到' })
    await expect.poll(() => credited.count(), { timeout: 20_000 }).toBe(1)
    expect(await credited.textContent()).toContain('已确认')
    await credited.scrollIntoViewIfNeeded()
    await screenshot(guest, 'guests-member-history')
  }, 120_000)

  it('counts the guest check-in in the home group leader’s overview, reached from the 管理 hub', async () => {
    await signIn(homeLeader, PHONES.leader)
    await waitForServiceWorker(homeLeader)
    await homeLeader.goto('/manage')
    await homeLeader.getByTestId('manage-attendance-overview').click()
    await homeLeader.getByTestId('overview-head').waitFor()
    await expect.poll(() => homeLeader.getByTestId('overview-credited').textContent(), { timeout: 20_000 }).toContain('签到 1')
    await screenshot(homeLeader, 'guests-overview', { andBottom: true })
    expect(await axeViolations(homeLeader)).toEqual([])
    // The flowing member is listed with their record-card entry.
    await homeLeader.getByTestId('overview-all-members').click()
    const flowingRow = homeLeader.getByTestId('overview-member').filter({ hasText: '流动' }).filter({ hasText: '记录卡 1' })
    await expect.poll(() => flowingRow.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
    await setElder(homeLeader, true)
    await homeLeader.getByTestId('overview-head').waitFor()
    await screenshot(homeLeader, 'guests-overview-elder', { andBottom: true })
    expect(await axeViolations(homeLeader)).toEqual([])
    await setElder(homeLeader, false)

    // From the attendance tab too; offline it shows the copy saved on the phone.
    await homeLeader.goto('/attendance')
    await goOffline(contexts[2]!)
    await homeLeader.getByTestId('attendance-overview').click()
    await homeLeader.getByTestId('overview-offline').waitFor()
    expect(await homeLeader.getByTestId('overview-credited').textContent()).toContain('签到 1')
    await goOnline(contexts[2]!)
  }, 120_000)
})
