/**
 * Meetings and attendance on two phones that are both offline: the group leader creates a
 * meeting and calls the roll ("all present", then two exceptions), the member checks in by
 * typing the leader's 6-digit code; both reload offline and keep everything; then the member's
 * phone syncs first (its check-in reaches the server before the meeting does) and the leader's
 * after. The server, the leader's roll call and the member's "my attendance" end up the same.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

let server: E2eServer
let browser: Browser
let leaderCtx: BrowserContext
let memberCtx: BrowserContext
let leader: Page
let member: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  leaderCtx = await newPhone(browser, server.url)
  memberCtx = await newPhone(browser, server.url)
  leader = await leaderCtx.newPage()
  member = await memberCtx.newPage()
  for (const [who, page] of [['leader', leader], ['member', member]] as const) {
    page.on('pageerror', (e) => console.error(`${who} page error:`, e.message))
  }
}, 120_000)
afterAll(async () => {
  await leaderCtx?.close()
  await memberCtx?.close()
  await browser?.close()
  await server?.stop()
})

/** Rows in one object store of the app's IndexedDB, read without going through the app. */
function idbCount(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('pocket-party-school')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains(name)) {
            db.close()
            resolve(0)
            return
          }
          const req = db.transaction(name, 'readonly').objectStore(name).count()
          req.onsuccess = () => {
            db.close()
            resolve(req.result)
          }
          req.onerror = () => reject(req.error)
        }
      }),
    store,
  )
}

async function apiAs(phone: string) {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: DEMO_PASSWORD, deviceName: 'e2e check' }),
  }).then((r) => r.json() as Promise<{ token: string; profile: { id: string } }>)
  return {
    id: login.profile.id,
    get: <T>(path: string) => fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${login.token}` } }).then((r) => r.json() as Promise<T>),
  }
}

/** personId → status as the leader's roll call shows it. */
async function rollCallStatuses(page: Page): Promise<Record<string, string>> {
  const rows = page.locator('[data-testid^="roll-row-"]')
  const out: Record<string, string> = {}
  for (const row of await rows.all()) {
    const id = (await row.getAttribute('data-testid'))!.replace('roll-row-', '')
    out[id] = (await row.getAttribute('data-status'))!
  }
  return out
}

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('meetings and attendance offline on two phones', () => {
  let meetingId = ''
  let code = ''
  let exceptions: string[] = []

  it('creates a meeting, calls the roll and checks in with both phones offline, and keeps it all across a reload', async () => {
    // Online once: sign in, the app shell is cached, the leader's phone downloads the roster.
    await Promise.all([signIn(leader, PHONES.leader), signIn(member, PHONES.member)])
    await Promise.all([waitForServiceWorker(leader), waitForServiceWorker(member)])
    await leader.getByTestId('tab-attendance').click()
    await expect.poll(() => idbCount(leader, 'rosterMembers'), { timeout: 15_000 }).toBeGreaterThan(0)
    await member.getByTestId('home-attendance').click()
    await member.getByTestId('attendance-checkin').waitFor()

    await Promise.all([goOffline(leaderCtx), goOffline(memberCtx)])

    // Leader: new meeting, then roll call.
    await leader.getByTestId('attendance-new').click()
    await leader.getByTestId('meeting-topic').waitFor()
    expect(await axeViolations(leader)).toEqual([])
    await leader.getByTestId('meeting-topic').locator('input').fill('学习党章第一章')
    await leader.getByTestId('meeting-place').locator('input').fill('桃园村村委会')
    await leader.getByTestId('meeting-submit').click()
    await leader.getByTestId('all-present').waitFor()
    meetingId = leader.url().split('/').at(-1)!
    const rows = leader.locator('[data-testid^="roll-row-"]')
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(10)
    const rosterSize = await rows.count()

    // The taps of a roll call with two exceptions: all present, one absent, one on leave + reason.
    let taps = 0
    await leader.getByTestId('all-present').click()
    taps++
    await expect.poll(() => leader.locator('[data-testid^="roll-row-"][data-status="present"]').count()).toBe(rosterSize)
    const first = rows.nth(0)
    const second = rows.nth(1)
    exceptions = [
      (await first.getAttribute('data-testid'))!.replace('roll-row-', ''),
      (await second.getAttribute('data-testid'))!.replace('roll-row-', ''),
    ]
    await first.getByTestId('mark-absent').click()
    taps++
    await second.getByTestId('mark-leave').click()
    taps++
    await leader.locator('.van-action-sheet__item').first().click()
    taps++
    expect(taps).toBe(4)
    await expect.poll(() => first.getAttribute('data-status')).toBe('absent')
    await expect.poll(() => second.getAttribute('data-status')).toBe('leave')
    expect(await second.textContent()).toContain('生病')
    await expect.poll(() => leader.locator('[data-testid^="roll-row-"][data-status="present"]').count()).toBe(rosterSize - 2)
    await screenshot(leader, 'attendance-rollcall')
    expect(await axeViolations(leader)).toEqual([])

    // The code screen: QR + 6 digits, made on the phone with no network.
    await leader.getByTestId('show-code').click()
    code = (await leader.getByTestId('checkin-code').textContent())!.trim()
    expect(code).toMatch(/^\d{6}$/)
    await expect.poll(() => leader.locator('.qr svg').count()).toBe(1)
    await screenshot(leader, 'attendance-code')
    expect(await axeViolations(leader)).toEqual([])

    // Member: types the code on the check-in screen.
    await member.getByTestId('attendance-checkin').click()
    await member.getByTestId('checkin-input').locator('input').fill(code)
    await member.getByTestId('checkin-submit').click()
    await member.getByTestId('checkin-done').waitFor()
    await expect.poll(() => member.getByTestId('checkin-row').first().textContent()).toContain('待上传')
    await screenshot(member, 'attendance-checkin')

    // Both phones reload with no network: nothing is lost.
    await Promise.all([leader.goto(`/attendance/meeting/${meetingId}`), member.reload()])
    await expect.poll(() => leader.locator('[data-testid^="roll-row-"][data-status="present"]').count()).toBe(rosterSize - 2)
    expect(await leader.getByTestId(`roll-row-${exceptions[0]}`).getAttribute('data-status')).toBe('absent')
    await expect.poll(() => member.getByTestId('checkin-row').first().textContent()).toContain(code)
    expect(await idbCount(leader, 'outbox')).toBe(4)
    expect(await idbCount(member, 'outbox')).toBe(1)

    // Elder mode screenshots of the same screens.
    await setElder(leader, true)
    await leader.locator('[data-testid^="roll-row-"]').first().waitFor()
    await screenshot(leader, 'attendance-rollcall-elder')
    await leader.goto(`/attendance/meeting/${meetingId}/code`)
    await leader.getByTestId('checkin-code').waitFor()
    await screenshot(leader, 'attendance-code-elder')
    await setElder(leader, false)
    await leader.goto(`/attendance/meeting/${meetingId}`)
  }, 180_000)

  it('syncs the member first and the leader after, and shows one attendance list on the server and both phones', async () => {
    // The member's check-in reaches the server before the meeting: it waits there.
    await goOnline(memberCtx)
    await expect.poll(() => idbCount(member, 'outbox'), { timeout: 30_000 }).toBe(0)
    await goOnline(leaderCtx)
    await expect.poll(() => idbCount(leader, 'outbox'), { timeout: 30_000 }).toBe(0)

    const asLeader = await apiAs(PHONES.leader)
    const asMember = await apiAs(PHONES.member)
    type Detail = { attendees: { personId: string; status: string | null; history: { status: string }[] }[] }
    const detail = await asLeader.get<Detail>(`/attendance/meetings/${meetingId}`)
    const onServer = Object.fromEntries(detail.attendees.map((a) => [a.personId, a.status ?? 'unmarked']))
    expect(onServer[exceptions[0]!]).toBe('absent')
    expect(onServer[exceptions[1]!]).toBe('leave')
    // The member's check-in was judged when the meeting arrived, and is in their history.
    const memberRow = detail.attendees.find((a) => a.personId === asMember.id)!
    expect(memberRow.history.map((h) => h.status)).toContain('checked_in')

    // Leader's phone: the roll call reads the server's answer once its outbox drained.
    await expect.poll(() => leader.getByTestId('roll-sync').textContent(), { timeout: 20_000 }).toContain('已与服务器一致')
    await expect.poll(() => rollCallStatuses(leader), { timeout: 20_000 }).toEqual(onServer)

    // Member's phone: "my attendance" and the check-in state come from the server.
    await member.goto('/attendance')
    const mine = member.getByTestId('my-attendance-row').filter({ hasText: '学习党章第一章' })
    const label = { present: '出席', checked_in: '已签到', leave: '请假', absent: '缺席', remote: '远程' }[onServer[asMember.id]!]!
    await expect.poll(() => mine.textContent(), { timeout: 20_000 }).toContain(label)
    await screenshot(member, 'attendance-member-mine')
    await member.goto('/attendance/checkin')
    await expect.poll(() => member.getByTestId('checkin-row').first().textContent(), { timeout: 20_000 }).toContain('签到成功')
    await screenshot(member, 'attendance-member-synced')
  }, 180_000)

  it('records a home visit with a big photo, shrunk on the phone to fit one upload', async () => {
    // A noisy 3000×2000 camera-sized JPEG, made in the page: far over the limit as it is.
    const big = await leader.evaluate(async () => {
      const canvas = document.createElement('canvas')
      canvas.width = 3000
      canvas.height = 2000
      const ctx = canvas.getContext('2d')!
      const img = ctx.createImageData(3000, 2000)
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) % 251
      ctx.putImageData(img, 0, 0)
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.95))
      const bytes = new Uint8Array(await blob.arrayBuffer())
      let s = ''
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
      return btoa(s)
    })
    expect(big.length).toBeGreaterThan(400_000)

    await leader.goto('/attendance')
    await leader.getByTestId('attendance-visit').click()
    await leader.getByTestId('visit-person').click()
    await leader.locator('.van-action-sheet__item').first().click()
    await leader.getByTestId('visit-studied').locator('input').fill('党章第一章')
    await leader.getByTestId('visit-note').locator('textarea').fill('老人耳背，读了两遍')
    await leader.getByTestId('visit-photo').setInputFiles({ name: 'visit.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(big, 'base64') })
    await leader.locator('.photo-preview img').waitFor()
    await screenshot(leader, 'attendance-home-visit')
    expect(await axeViolations(leader)).toEqual([])
    await leader.getByTestId('visit-submit').click()
    await leader.getByTestId('visit-row').first().waitFor()
    await expect.poll(() => idbCount(leader, 'outbox'), { timeout: 30_000 }).toBe(0)

    const asLeader = await apiAs(PHONES.leader)
    const me = await asLeader.get<{ orgUnitId: string }>('/auth/me')
    const visits = await asLeader.get<{ items: { id: string; studied: string; hasPhoto: boolean }[] }>(`/attendance/home-visits?orgUnitId=${me.orgUnitId}`)
    expect(visits.items[0]).toMatchObject({ studied: '党章第一章', hasPhoto: true })
  }, 120_000)
})
