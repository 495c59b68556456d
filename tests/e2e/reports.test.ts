/**
 * A township supervisor opens 统计报表 from the 管理 hub, drills down from the township to a
 * branch and a party group (breadcrumbs lead back), sees which members have not studied, and sees
 * that one member's phone still holds records that have not reached the server.
 */
import { describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, PHONES, screenshot, signIn, usePhone } from './support/browser.ts'

const s = usePhone()

/** The member's phone syncs once: two lessons studied, three more records still waiting on it. */
async function memberPushes(baseUrl: string): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: PHONES.member, password: DEMO_PASSWORD, deviceName: 'e2e' }),
  }).then((r) => r.json() as Promise<{ token: string; profile: { id: string } }>)
  const { uuidv7 } = await import('../../src/features/sync/uuidv7.ts')
  const record = () => ({ id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l-1', courseId: 'c-1', kind: 'studied', seconds: 300 }, createdAt: Date.now(), deviceId: 'phone-e2e' })
  const res = await fetch(`${baseUrl}/api/v1/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ deviceId: 'phone-e2e', outboxCount: 5, records: [record(), record()] }),
  })
  expect(res.status).toBe(200)
  return login.profile.id
}

describe('reports', () => {
  it('drills down from the township to a group and shows who is behind and whose phone has not synced', async () => {
    const { page } = s
    const memberId = await memberPushes(s.server.url)
    await signIn(page, PHONES.supervisor)
    await page.goto('/manage')
    await page.getByTestId('manage-reports').click()

    await expect.poll(() => page.getByTestId('report-unit').innerText()).toBe('柳溪镇')
    await expect.poll(() => page.getByTestId('report-children').locator('tbody tr').count()).toBe(2)
    await expect.poll(() => page.getByTestId('freshness-pending').innerText()).toContain('1台 / 3条')
    // Meetings held beside the plan: the district's 12 theme days reach each of the township's 2 branches.
    const meetings = page.locator('figure', { hasText: '年的会议（召开 / 计划）' })
    await expect.poll(() => meetings.locator('.row', { hasText: '主题党日' }).innerText()).toMatch(/\b\d+ \/ 24$/)
    await screenshot(page, 'reports-township', { andBottom: true })
    expect(await axeViolations(page)).toEqual([])

    await page.getByTestId('sort-behind').click()
    await expect.poll(() => page.getByTestId('sort-behind').locator('..').getAttribute('aria-sort')).toBe('descending')

    await page.getByRole('button', { name: '桃园村党支部' }).first().click()
    await expect.poll(() => page.getByTestId('report-unit').innerText()).toBe('桃园村党支部')
    await expect.poll(() => page.getByTestId('report-trail').innerText()).toContain('柳溪镇')
    await page.getByRole('button', { name: '第一党小组' }).first().click()
    await expect.poll(() => page.getByTestId('report-unit').innerText()).toBe('第一党小组')
    await expect.poll(() => page.getByTestId('figure-behind').innerText()).toBe('11')

    // The member who synced is not behind but has records waiting; the others are behind.
    const member = page.getByTestId(`member-${memberId}`)
    await expect.poll(() => member.innerText()).toContain('待上传3条')
    expect(await member.getByTestId('member-behind').count()).toBe(0)
    await expect.poll(() => page.getByTestId('member-behind').count()).toBeGreaterThan(5)
    await page.getByTestId('behind-only').click()
    await expect.poll(() => page.getByTestId(`member-${memberId}`).count()).toBe(0)
    await screenshot(page, 'reports-group', { andBottom: true })
    expect(await axeViolations(page)).toEqual([])

    // Elder mode and a desktop-width window.
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '1'))
    await page.reload()
    await page.getByTestId('report-unit').waitFor()
    await screenshot(page, 'reports-group-elder')
    await page.evaluate(() => localStorage.setItem('pps.elderMode', '0'))
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByTestId('report-trail').getByRole('button', { name: '柳溪镇' }).click()
    await expect.poll(() => page.getByTestId('report-unit').innerText()).toBe('柳溪镇')
    await page.reload()
    await page.getByTestId('report-children').waitFor()
    await screenshot(page, 'reports-township-desktop')
  })
})
