/**
 * The typed-code lockout on the member's phone: five wrong codes and the check-in screen says
 * "尝试次数过多，请于 HH:MM 后再试" (readable in elder mode, axe-clean), typed codes cannot be sent,
 * and the leader's QR link (with its token) still checks in.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { uuidv7 } from '../../src/features/sync/uuidv7.ts'
import { axeViolations } from './support/axe.ts'
import { PHONES, DEMO_PASSWORD, screenshot, usePhone } from './support/browser.ts'

const phone = usePhone(PHONES.member)

interface Answer {
  token?: string
  profile?: { roles: { role: string; orgUnitId: string }[] }
  results?: { status: string }[]
}

async function api(path: string, body: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${phone.server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return res.json()
}

async function setElder(on: boolean): Promise<void> {
  await phone.page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await phone.page.reload()
}

describe('too many wrong check-in codes', () => {
  it('locks typed codes after five wrong ones and says until when; the QR link still checks in', async () => {
    const { page } = phone
    await page.goto('/attendance/checkin')
    for (let i = 0; i < 5; i++) {
      await page.getByTestId('checkin-input').locator('input').fill(String(900001 + i))
      await page.getByTestId('checkin-submit').click()
      await page.getByTestId('checkin-done').waitFor()
    }
    const banner = page.getByTestId('checkin-locked')
    await expect.poll(() => banner.isVisible(), { timeout: 30_000 }).toBe(true)
    expect(await banner.textContent()).toMatch(/尝试次数过多，请于 \d\d:\d\d 后再试/)
    await page.getByTestId('checkin-input').locator('input').fill('900009')
    expect(await page.getByTestId('checkin-submit').isDisabled()).toBe(true)
    await screenshot(page, 'checkin-locked')
    expect(await axeViolations(page)).toEqual([])
    await setElder(true)
    await banner.waitFor()
    await screenshot(page, 'checkin-locked-elder')
    expect(await axeViolations(page)).toEqual([])
    await setElder(false)

    // The leader's meeting, made with its QR token; the member opens the QR link.
    const login = await api('/auth/login', { phone: PHONES.leader, password: DEMO_PASSWORD, deviceName: 'e2e' })
    const leader = login.token!
    const groupId = login.profile!.roles.find((r) => r.role === 'group_leader')!.orgUnitId
    const meeting = { meetingId: randomUUID(), code: '135246', token: randomBytes(18).toString('base64url') }
    const created = await api(
      '/sync/push',
      {
        deviceId: 'leader-phone',
        records: [
          {
            id: uuidv7(),
            kind: 'meeting_create',
            createdAt: Date.now(),
            deviceId: 'leader-phone',
            payload: {
              meetingId: meeting.meetingId,
              orgUnitId: groupId,
              type: 'group_meeting',
              startsAt: Date.now() - 5 * 60_000,
              endsAt: Date.now() + 55 * 60_000,
              place: '村委会',
              topic: '扫码签到不受锁定',
              checkinCode: meeting.code,
              checkinToken: meeting.token,
            },
          },
        ],
      },
      leader,
    )
    expect(created.results?.[0]?.status, JSON.stringify(created)).toBe('applied')
    // What the leader's QR code holds (checkinPath), as a camera app opens it.
    await page.goto(`/attendance/checkin?m=${meeting.meetingId}&c=${meeting.code}&t=${meeting.token}`)
    expect(await page.getByTestId('checkin-submit').isDisabled()).toBe(false)
    await page.getByTestId('checkin-submit').click()
    await page.getByTestId('checkin-done').waitFor()
    await expect.poll(() => page.getByTestId('checkin-row').first().textContent(), { timeout: 30_000 }).toContain('签到成功')
  }, 180_000)
})
