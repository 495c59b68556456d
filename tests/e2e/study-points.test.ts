/**
 * The 15-minute learning circle on a phone: a flowing member taps "near me" (the only moment the
 * position is asked for), sees the nearest study points first, moves and sees the order follow;
 * the sketch map draws with no tile server; the list survives going offline and a reload; a point
 * links its meeting open to visitors to the check-in screen; a member who refuses location picks
 * a township instead. Screenshots at 360×640, normal and elder mode.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { DEMO_CENTRE } from '../../server/seed/studyPoints.ts'
import { axeViolations } from './support/axe.ts'
import { goOffline, goOnline, newPhone, PHONES, screenshot, signIn, usePhone, waitForServiceWorker } from './support/browser.ts'

const FLOWING_PHONE = '13800000002'
/** A seeded place, given as km east and north of the county seat (server/seed/studyPoints.ts). */
const at = (east: number, north: number) => ({
  latitude: DEMO_CENTRE.lat + north / 111.32,
  longitude: DEMO_CENTRE.lng + east / (111.32 * Math.cos((DEMO_CENTRE.lat * Math.PI) / 180)),
  accuracy: 30,
})
const TAOYUAN = at(-9.45, 4.15)
const HEWAN = at(8.6, -3.95)

const phone = usePhone()

async function rows(page: Page): Promise<{ name: string; km: number }[]> {
  return page.getByTestId('sp-row').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-name') ?? '', km: Number(e.getAttribute('data-km')) })))
}
async function expectNearestFirst(page: Page, name: string): Promise<void> {
  await expect.poll(async () => (await rows(page))[0]?.name, { timeout: 15_000 }).toBe(name)
  const kms = (await rows(page)).map((r) => r.km)
  expect(kms.length).toBeGreaterThan(10)
  expect(kms).toEqual([...kms].sort((a, b) => a - b))
}
/**
 * Every request the phone sends (the page's and the service worker's) as "URL body" text, to
 * prove the position never leaves the phone.
 */
function sentRequests(context: BrowserContext): string[] {
  const sent: string[] = []
  context.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`))
  return sent
}
/** A position in any form a request could carry it: degrees to 3 decimals (≈ 100 m) or micro-degrees. */
function positionPatterns({ latitude, longitude }: { latitude: number; longitude: number }): RegExp[] {
  const forms = (deg: number) => [(Math.trunc(deg * 1000) / 1000).toFixed(3), String(Math.round(deg * 1e6)).slice(0, 5)]
  return [/[?&](lat|lng|latitude|longitude)=/, ...[...forms(latitude), ...forms(longitude)].map((f) => new RegExp(f.replace('.', '\\.?')))]
}
async function expectNoAxeViolations(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([])
}
async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

describe('study points near me', () => {
  it('sorts by a mocked position, draws the map, opens a point with its open meeting', async () => {
    const { context, page } = phone
    page.on('pageerror', (e) => console.error('page error:', e.message))
    await signIn(page, FLOWING_PHONE)
    await waitForServiceWorker(page)
    await context.grantPermissions(['geolocation'], { origin: phone.server.url })
    await context.setGeolocation(TAOYUAN)
    const sent = sentRequests(context)

    await page.getByTestId('study-points-entry').click()
    await page.getByTestId('sp-near-me').waitFor()
    // Nothing asked yet: the page waits for the member to tap "near me".
    expect(await page.getByTestId('sp-origin').innerText()).toContain('附近')
    await page.getByTestId('sp-near-me').click()
    await page.locator('.consent-dialog .van-dialog__confirm').click() // 允许: the app's own consent, asked once
    await expectNearestFirst(page, '桃园村微型党校')
    expect(await page.getByTestId('sp-origin').innerText()).toBe('按与您的距离排序')
    await screenshot(page, 'study-points-list')
    await expectNoAxeViolations(page)

    // The member travels to 白沙乡: the same tap sorts from the new position.
    await context.setGeolocation(HEWAN)
    await page.getByTestId('sp-near-me').click()
    await expectNearestFirst(page, '河湾村微型党校')
    // The list came from the server (a grid cell around the member), the order from the phone:
    // no request carried either position.
    expect(sent.filter((s) => s.includes('/api/v1/study-points?')).length).toBeGreaterThanOrEqual(2)
    for (const pattern of [...positionPatterns(TAOYUAN), ...positionPatterns(HEWAN)]) {
      expect(sent.filter((s) => pattern.test(s)), String(pattern)).toEqual([])
    }
    const first = page.getByTestId('sp-row').first()
    expect(await first.innerText()).toMatch(/步行约 \d+ 分钟/)
    expect(await first.innerText()).toContain('15分钟可达')

    // Filtering by type keeps the distance order and only that type.
    await page.getByTestId('sp-type-education_base').click()
    const bases = await page.getByTestId('sp-row').allInnerTexts()
    expect(bases.length).toBe(2)
    expect(bases.every((text) => text.includes('教育基地'))).toBe(true)
    await page.getByRole('button', { name: '全部' }).click()

    await page.getByRole('tab', { name: '地图' }).click()
    await page.getByTestId('sp-map').waitFor()
    expect(await page.getByTestId('sp-map-point').count()).toBe(20)
    await page.getByTestId('sp-map-you').waitFor()
    expect(await page.getByTestId('sp-map-scale').textContent()).toMatch(/\d+(\.\d+)? 公里/)
    await screenshot(page, 'study-points-map')
    await expectNoAxeViolations(page)
    await page.getByRole('tab', { name: '列表' }).click()

    await page.getByTestId('sp-row').first().click()
    await page.getByTestId('sp-detail-name').waitFor()
    expect(await page.getByTestId('sp-detail-name').innerText()).toBe('河湾村微型党校')
    expect(await page.getByTestId('sp-detail-call').getAttribute('href')).toMatch(/^tel:0731/)
    const meeting = page.getByTestId('sp-meeting').first()
    expect(await meeting.innerText()).toContain('党课')
    await screenshot(page, 'study-points-detail', { andBottom: true })
    await expectNoAxeViolations(page)
    await meeting.getByTestId('sp-meeting-checkin').click()
    await page.waitForURL(/\/attendance\/checkin\?m=[0-9a-f-]{36}/)
  })

  it('keeps the list, map and point page offline through a reload, in elder mode too', async () => {
    const { context, page } = phone
    await page.goto('/study-points')
    await expectNearestFirst(page, '河湾村微型党校')
    await goOffline(context)
    await page.reload()
    await expectNearestFirst(page, '河湾村微型党校')
    await page.getByTestId('sp-stale').waitFor()

    await setElder(page, true)
    await expectNearestFirst(page, '河湾村微型党校')
    await screenshot(page, 'study-points-list-elder')
    await page.getByRole('tab', { name: '地图' }).click()
    await page.getByTestId('sp-map').waitFor()
    await screenshot(page, 'study-points-map-elder')
    await page.getByRole('tab', { name: '列表' }).click()
    await page.getByTestId('sp-row').first().click()
    await page.getByTestId('sp-detail-name').waitFor()
    await page.getByTestId('sp-meeting').first().waitFor()
    await screenshot(page, 'study-points-detail-elder', { andBottom: true })
    await expectNoAxeViolations(page)
    await setElder(page, false)
    await goOnline(context)
  })
})

describe('study points without location', () => {
  it('offers the townships when the member refuses location, and sorts from the one chosen', async () => {
    let context: BrowserContext | undefined
    try {
      context = await newPhone(phone.browser, phone.server.url)
      const page = await context.newPage()
      await signIn(page, PHONES.member)
      await page.goto('/study-points')
      await page.getByTestId('sp-near-me').click()
      await page.locator('.consent-dialog .van-dialog__confirm').click() // the app may ask; the browser refuses
      await page.getByTestId('sp-location-failure').waitFor()
      expect(await page.getByTestId('sp-location-failure').innerText()).toContain('没有获得位置权限')
      await page.getByRole('button', { name: /白沙乡/ }).click()
      await expect.poll(() => page.getByTestId('sp-origin').innerText()).toBe('按与白沙乡中心的距离排序')
      // The township's points arrive from the server after the origin changes.
      await expect.poll(async () => (await rows(page)).length, { timeout: 15_000 }).toBe(15)
      const list = await rows(page)
      expect(list.map((r) => r.km)).toEqual(list.map((r) => r.km).sort((a, b) => a - b))
      await screenshot(page, 'study-points-township')
      await expectNoAxeViolations(page)
    } finally {
      await context?.close()
    }
  })
})

describe('supervisors manage their area’s study points', () => {
  it('creates a point from the 管理 hub, refusing impossible coordinates first', async () => {
    let context: BrowserContext | undefined
    try {
      context = await newPhone(phone.browser, phone.server.url)
      const page = await context.newPage()
      await signIn(page, PHONES.supervisor)
      await page.goto('/manage')
      await page.getByTestId('manage-study-points-manage').click()
      await page.getByTestId('spm-row').first().waitFor()
      expect(await page.getByTestId('spm-row').count()).toBe(15)
      await expectNoAxeViolations(page)

      await page.getByTestId('spm-add').click()
      await page.getByTestId('spf-name').locator('input').fill('杏花村田间课堂（新）')
      await page.getByTestId('spf-address').locator('input').fill('青禾县柳溪镇杏花村果园')
      await page.getByTestId('spf-lat').locator('input').fill('128.5')
      await page.getByTestId('spf-lng').locator('input').fill('113.55')
      await page.getByTestId('spf-hours').locator('input').fill('农闲时每周六 14:00–17:00')
      await page.getByTestId('spf-save').click()
      await page.getByText('纬度应在 −90 到 90 之间').waitFor()
      await screenshot(page, 'study-points-form')
      await expectNoAxeViolations(page)
      await page.getByTestId('spf-lat').locator('input').fill('28.44')
      await page.getByTestId('spf-save').click()
      await page.getByTestId('spm-list').waitFor()
      await expect.poll(() => page.getByTestId('spm-row').count()).toBe(16)
      expect(await page.getByTestId('spm-list').innerText()).toContain('杏花村田间课堂（新）')
    } finally {
      await context?.close()
    }
  })
})
