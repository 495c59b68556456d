/**
 * A correction is not undone by an older offline mark (issue 20): the group leader marks a member
 * 出席 with no signal; meanwhile the branch secretary, online, records 请假; when the leader's phone
 * finds signal its mark reaches the server last, and the roll call keeps 请假 and says 已被更正 with
 * who and when. Screenshots at 360×640, normal and elder mode; axe on both.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidv7 } from '../../src/features/sync/uuidv7.ts'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

const SECRETARY = '13800000004'
const FLOWING_MEMBER = '13800000002'

let server: E2eServer
let browser: Browser
let leaderCtx: BrowserContext
let leader: Page

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  leaderCtx = await newPhone(browser, server.url)
  leader = await leaderCtx.newPage()
  leader.on('pageerror', (e) => console.error('leader page error:', e.message))
}, 120_000)
afterAll(async () => {
  await leaderCtx?.close()
  await browser?.close()
  await server?.stop()
})

/** Another person's phone, played through the API: reads a meeting, pushes records. */
async function phoneApi(phone: string) {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: DEMO_PASSWORD, deviceName: 'other phone' }),
  }).then((r) => r.json() as Promise<{ token: string; profile: { name: string } }>)
  const headers = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' }
  return {
    name: login.profile.name,
    markIdOf: async (meetingId: string, personId: string) => {
      const detail = (await fetch(`${server.url}/api/v1/attendance/meetings/${meetingId}`, { headers }).then((r) => r.json())) as {
        meeting: { orgUnitId: string }
        attendees: { personId: string; markId: string | null }[]
      }
      return { orgUnitId: detail.meeting.orgUnitId, markId: detail.attendees.find((a) => a.personId === personId)!.markId }
    },
    push: async (kind: string, payload: unknown) => {
      const res = await fetch(`${server.url}/api/v1/sync/push`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ deviceId: 'other-phone', records: [{ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'other-phone' }] }),
      })
      return ((await res.json()) as { results: { status: string }[] }).results[0]!.status
    },
  }
}

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('a correction stays when an older offline mark arrives later', () => {
  it('keeps the secretary’s 请假 over the leader’s offline 出席 and tells the leader who corrected it and when', async () => {
    await signIn(leader, PHONES.leader)
    await waitForServiceWorker(leader)
    await leader.getByTestId('tab-attendance').click()
    await leader.getByTestId('attendance-new').click()
    await leader.getByTestId('meeting-topic').locator('input').fill('学习党章第二章')
    await leader.getByTestId('meeting-place').locator('input').fill('田间地头')
    await leader.getByTestId('meeting-submit').click()
    await leader.getByTestId('all-present').waitFor()
    const meetingId = leader.url().split('/').at(-1)!
    // Online: the meeting reaches the server and the roll call reads its answer.
    await expect.poll(() => leader.getByTestId('roll-sync').textContent(), { timeout: 30_000 }).toContain('已与服务器一致')
    const row = leader.locator('[data-testid^="roll-row-"]').first()
    const personId = (await row.getAttribute('data-testid'))!.replace('roll-row-', '')

    // In the field with no signal: the leader marks the member present.
    await goOffline(leaderCtx)
    await row.getByTestId('mark-present').click()
    await expect.poll(() => row.getAttribute('data-status')).toBe('present')

    // Meanwhile the secretary, online, sees no mark and records 请假.
    const secretary = await phoneApi(SECRETARY)
    const seen = await secretary.markIdOf(meetingId, personId)
    expect(seen.markId).toBeNull()
    const correction = { meetingId, orgUnitId: seen.orgUnitId, marks: [{ personId, status: 'leave', reason: '生病', basedOn: seen.markId }] }
    expect(await secretary.push('attendance_mark', correction)).toBe('applied')

    // Signal again: the leader's older mark arrives last and does not undo the correction.
    await goOnline(leaderCtx)
    await expect.poll(() => leader.getByTestId('roll-sync').textContent(), { timeout: 30_000 }).toContain('已与服务器一致')
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('leave')
    const notice = row.getByTestId('roll-corrected')
    await expect.poll(() => notice.textContent(), { timeout: 20_000 }).toContain('已被更正')
    expect(await notice.textContent()).toContain(secretary.name)
    expect(await notice.textContent()).toContain('请假')
    await row.locator('button.who').click()
    await expect.poll(() => row.locator('.history').textContent()).toContain('未采用')
    await screenshot(leader, 'corrections-rollcall')
    expect(await axeViolations(leader)).toEqual([])

    await setElder(leader, true)
    await leader.getByTestId(`roll-row-${personId}`).getByTestId('roll-corrected').waitFor()
    await screenshot(leader, 'corrections-rollcall-elder')
    expect(await axeViolations(leader)).toEqual([])
    await setElder(leader, false)

    // Having seen it, the leader may still change it: the new mark is based on the correction.
    await leader.getByTestId(`roll-row-${personId}`).getByTestId('mark-present').click()
    await expect.poll(() => leader.getByTestId('roll-sync').textContent(), { timeout: 30_000 }).toContain('已与服务器一致')
    await expect.poll(() => leader.getByTestId(`roll-row-${personId}`).getAttribute('data-status'), { timeout: 20_000 }).toBe('present')
    expect(await leader.getByTestId(`roll-row-${personId}`).getByTestId('roll-corrected').count()).toBe(0)
  }, 180_000)

  it('shows a record card’s review history where leaders review cards, with the review that was not applied', async () => {
    const flowing = await phoneApi(FLOWING_MEMBER)
    const secretary = await phoneApi(SECRETARY)
    const leaderApi = await phoneApi(PHONES.leader)
    const recordId = crypto.randomUUID()
    const card = { recordId, heldOn: Date.now() - 86_400_000, place: '深圳市龙岗区', organisation: '园区流动党员党支部', content: '参加主题党日' }
    expect(await flowing.push('flowing_record', card)).toBe('applied')
    // Two leaders review the pending card without seeing each other's review: the first stays.
    expect(await secretary.push('flowing_record_review', { recordId, decision: 'returned', reason: '请补充会议照片', basedOn: null })).toBe('applied')
    expect(await leaderApi.push('flowing_record_review', { recordId, decision: 'confirmed', basedOn: null })).toBe('applied')

    await leader.goto('/attendance')
    const corrected = leader.getByTestId('flowing-review-corrected').first()
    await corrected.waitFor({ timeout: 20_000 })
    expect(await corrected.textContent()).toContain(secretary.name)
    await corrected.scrollIntoViewIfNeeded()
    await screenshot(leader, 'corrections-review-history')
    expect(await axeViolations(leader)).toEqual([])
    await setElder(leader, true)
    await leader.getByTestId('flowing-review-corrected').first().scrollIntoViewIfNeeded()
    await screenshot(leader, 'corrections-review-history-elder')
    expect(await axeViolations(leader)).toEqual([])
    await setElder(leader, false)
  }, 120_000)
})
