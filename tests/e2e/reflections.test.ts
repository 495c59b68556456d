/**
 * Study reflections 晒心得 on three phones of one party group: member A finishes a lesson and,
 * offline, writes a reflection with a photo straight from the camera (EXIF with GPS inside); it
 * shows at once as 待发送 and survives a reload; back online it is sent, and the photo that reached
 * the server carries no EXIF. Member B's phone shows it in the group feed and likes it; the group
 * leader marks it excellent and B sees it under 优秀心得. Markup typed into the text stays text.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe.ts'
import { DEMO_PASSWORD, goOffline, goOnline, launchBrowser, newPhone, PHONES, screenshot, signIn, waitForServiceWorker } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

const MEMBER_B = '13800000002'
const SECRETARY = '13800000004'
const LESSON = 'three-meetings-one-lesson-01'
const TEXT = '学了“三会一课”，明白了按时参加组织生活的意义。<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'

let server: E2eServer
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
}, 120_000)
afterAll(async () => {
  for (const c of contexts) await c.close()
  await browser?.close()
  await server?.stop()
})

async function phone(number: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newPhone(browser, server.url)
  contexts.push(context)
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`${number} page error:`, e.message))
  await signIn(page, number)
  return { context, page }
}

async function setElder(page: Page, on: boolean): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('pps.elderMode', v ? '1' : '0'), on)
  await page.reload()
}

/** Normal and elder-mode screenshots of the current screen, with an axe check. */
async function look(page: Page, name: string, ready: string): Promise<void> {
  await page.getByTestId(ready).first().waitFor()
  await screenshot(page, name, { andBottom: true })
  expect(await axeViolations(page)).toEqual([])
  await setElder(page, true)
  await page.getByTestId(ready).first().waitFor()
  await screenshot(page, `${name}-elder`, { andBottom: true })
  await setElder(page, false)
  await page.getByTestId(ready).first().waitFor()
}

/** A real JPEG as a phone camera writes it: with an APP1 EXIF segment holding GPS tags. */
async function cameraJpeg(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas')
    canvas.width = 1600
    canvas.height = 1200
    const g = canvas.getContext('2d')!
    const grad = g.createLinearGradient(0, 0, 1600, 1200)
    grad.addColorStop(0, '#c8102e')
    grad.addColorStop(1, '#f5d76e')
    g.fillStyle = grad
    g.fillRect(0, 0, 1600, 1200)
    for (let i = 0; i < 400; i++) {
      g.fillStyle = `hsl(${(i * 37) % 360} 70% 50%)`
      g.fillRect((i * 97) % 1600, (i * 61) % 1200, 40, 40)
    }
    const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.9))
    const bytes = new Uint8Array(await blob.arrayBuffer())
    let s = ''
    for (const b of bytes) s += String.fromCharCode(b)
    return btoa(s)
  })
  const jpeg = Buffer.from(base64, 'base64')
  // TIFF (big-endian) with IFD0 → GPS IFD pointer; the GPS IFD names latitude "N" (enough to be GPS EXIF).
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // header, IFD0 at 8
    0x00, 0x01, 0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x00, // GPSInfo → 26
    0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x4e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // GPSLatitudeRef "N"
  ])
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload])
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)])
}

async function apiToken(phoneNumber: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: phoneNumber, password: DEMO_PASSWORD, deviceName: 'e2e' }),
  })
  return (await res.json()).token
}

describe('study reflections', () => {
  it('goes from an offline reflection after a lesson to a like and an excellent mark on other phones', async () => {
    const a = await phone(PHONES.member)
    await waitForServiceWorker(a.page)
    await a.page.goto(`/study/lesson/${LESSON}`)
    await a.page.getByTestId('lesson-reflect').click()
    await a.page.getByTestId('reflection-about').waitFor()
    expect(await a.page.getByTestId('reflection-about').innerText()).toContain('三会一课')
    await look(a.page, 'reflection-write', 'reflection-about')
    const photo = await cameraJpeg(a.page)
    expect(photo.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(true)

    await goOffline(a.context)
    // Over the limit: the counter and the message say so before anything is sent.
    await a.page.getByTestId('reflection-text-input').locator('textarea').fill('学'.repeat(1001))
    await a.page.getByText('心得最多 1000 字，现在 1001 字').waitFor()
    expect(await a.page.getByTestId('reflection-submit').isDisabled()).toBe(true)
    await a.page.getByTestId('reflection-text-input').locator('textarea').fill(TEXT)
    await a.page.getByTestId('reflection-photo-input').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo })
    await a.page.getByTestId('reflection-photo-preview').waitFor()
    await screenshot(a.page, 'reflection-write-filled', { andBottom: true })
    await a.page.getByTestId('reflection-submit').click()

    const mine = a.page.getByTestId('reflection').first()
    await expect.poll(() => mine.getByTestId('reflection-delivery').innerText()).toBe('待发送')
    await a.page.reload()
    await expect.poll(() => a.page.getByTestId('reflection').first().getByTestId('reflection-delivery').innerText()).toBe('待发送')
    expect(await a.page.getByTestId('reflection-text').first().innerText()).toBe(TEXT)
    await screenshot(a.page, 'reflection-waiting')

    await goOnline(a.context)
    await a.page.evaluate(() => window.dispatchEvent(new Event('online')))
    await expect
      .poll(async () => (await a.page.getByTestId('reflection').first().getByTestId('reflection-delivery').count()) === 0 || (await a.page.getByTestId('reflection').first().getByTestId('reflection-delivery').innerText()) === '已发送', { timeout: 30_000 })
      .toBe(true)
    expect(await a.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()

    // What reached the server: a JPEG re-encoded on the phone, ≤ 60 KB, without EXIF (GPS gone).
    const token = await apiToken(PHONES.member)
    const feed = await (await fetch(`${server.url}/api/v1/reflections`, { headers: { authorization: `Bearer ${token}` } })).json()
    const posted = feed.items.find((r: { text: string }) => r.text === TEXT)
    expect(posted).toMatchObject({ photoCount: 1, lessonId: LESSON })
    const { photos } = await (await fetch(`${server.url}/api/v1/reflections/${posted.id}/photos`, { headers: { authorization: `Bearer ${token}` } })).json()
    const sent = Buffer.from(photos[0], 'base64')
    expect([...sent.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(sent.length).toBeLessThanOrEqual(60_000)
    expect(sent.includes(Buffer.from('Exif', 'latin1'))).toBe(false)

    // Member B of the same group sees it with its photo, and likes it.
    const b = await phone(MEMBER_B)
    await b.page.getByTestId('reflections-entry').click()
    const card = b.page.locator(`[data-testid="reflection"][data-id="${posted.id}"]`)
    await card.getByTestId('reflection-photo').waitFor()
    expect(await card.getByTestId('reflection-text').innerText()).toBe(TEXT)
    await card.getByTestId('reflection-like').click()
    await expect.poll(() => card.getByTestId('reflection-like').innerText()).toContain('已赞 1')
    await card.getByTestId('reflection-replies').click()
    await card.getByTestId('reflection-reply-text').locator('input').fill('说得好，一起坚持！')
    await card.getByTestId('reflection-reply-send').click()
    await card.getByTestId('reflection-reply').waitFor()
    // B's like and reply reach the server before the leader's phone reads the feed.
    await expect.poll(() => b.page.getByText('有操作待发送').count(), { timeout: 20_000 }).toBe(0)
    await look(b.page, 'reflection-feed', 'reflection-photo')
    expect(await b.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()

    // The group leader marks it excellent; B sees it under 优秀心得 once the mark has been sent.
    const leader = await phone(PHONES.leader)
    await leader.page.goto('/reflections')
    const leaderCard = leader.page.locator(`[data-testid="reflection"][data-id="${posted.id}"]`)
    expect(await leaderCard.getByTestId('reflection-like').innerText()).toContain('赞 1')
    await leaderCard.getByTestId('reflection-excellent').click()
    await leaderCard.getByTestId('reflection-excellent-tag').waitFor()
    await look(leader.page, 'reflection-leader', 'reflection-excellent-tag')
    await expect
      .poll(
        async () => {
          await b.page.reload()
          await b.page.getByRole('tab', { name: '优秀心得' }).click()
          const shown = b.page.locator('[role="tabpanel"]:visible').locator(`[data-testid="reflection"][data-id="${posted.id}"]`)
          return shown.getByTestId('reflection-excellent-tag').count()
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1)
    await screenshot(b.page, 'reflection-excellent')

    // The branch secretary's monthly counts on the 管理 hub.
    const secretary = await phone(SECRETARY)
    await secretary.page.goto('/manage')
    await secretary.page.getByTestId('manage-reflection-stats').click()
    const row = secretary.page.getByTestId('stats-row').filter({ hasText: '第一党小组' }).first()
    await row.waitFor()
    expect(await row.locator('td').first().innerText()).toBe('1')
    await look(secretary.page, 'reflection-stats', 'stats-row')
  }, 240_000)
})
