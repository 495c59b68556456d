/**
 * In-app QR scanning on the check-in page, with a camera: Chromium's fake capture device plays a
 * Y4M clip of a leader's check-in QR code, so the real path runs (getUserMedia, the back camera,
 * frames decoded by jsQR, since Linux Chromium has no BarcodeDetector) and the link fills the code.
 * A real phone camera (focus, glare, BarcodeDetector on Android) still needs a manual check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newPhone, PHONES, screenshot, signIn } from './support/browser.ts'
import { startServer, type E2eServer } from './support/server.ts'

const MEETING = '0192f1c2-7b3a-7c01-9d2e-4f5a6b7c8d9e'
const CODE = '042917'

/** A few frames of a black-on-white QR code as a raw Y4M clip (4:2:0, grey: U = V = 128). */
function qrClip(text: string, file: string): void {
  const W = 640
  const H = 480
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const cell = Math.floor(360 / (n + 8))
  const left = Math.floor((W - cell * n) / 2)
  const top = Math.floor((H - cell * n) / 2)
  const y = Buffer.alloc(W * H, 235)
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      if (qr.modules.get(r, c))
        for (let dy = 0; dy < cell; dy++) y.fill(16, (top + r * cell + dy) * W + left + c * cell, (top + r * cell + dy) * W + left + (c + 1) * cell)
  const uv = Buffer.alloc((W / 2) * (H / 2) * 2, 128)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, uv])
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array(10).fill(frame)]))
}

let server: E2eServer
let browser: Browser
let tmp: string

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pps-scan-'))
  const clip = join(tmp, 'qr.y4m')
  qrClip(`http://192.168.1.5:8080/attendance/checkin?m=${MEETING}&c=${CODE}`, clip)
  server = await startServer()
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`,
    ],
  })
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await server?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

describe('scanning the check-in QR code in the app', () => {
  it('fills the code from the camera and checks in for that meeting', async () => {
    const context = await newPhone(browser, server.url)
    await context.grantPermissions(['camera'])
    const page = await context.newPage()
    await signIn(page, PHONES.member)
    await page.goto('/attendance/checkin')
    await page.getByTestId('checkin-scan').click()
    await expect.poll(() => page.getByTestId('checkin-input').locator('input').inputValue(), { timeout: 15_000 }).toBe(CODE)
    await screenshot(page, 'attendance-checkin-scanned')
    await page.getByTestId('checkin-submit').click()
    await page.getByTestId('checkin-done').waitFor()
    // The outbox record names the meeting the QR code gave, not just the typed code.
    const payload = await page.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('pocket-party-school')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const req = open.result.transaction('outbox').objectStore('outbox').getAll()
            req.onsuccess = () => resolve(req.result.filter((r: { kind: string }) => r.kind === 'checkin').map((r: { payload: unknown }) => r.payload))
            req.onerror = () => reject(req.error)
          }
        }),
    )
    // Pushed already (the server refuses the unknown meeting) or still waiting: look in both places.
    const dead = await page.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          const open = indexedDB.open('pocket-party-school')
          open.onsuccess = () => {
            const db = open.result
            if (!db.objectStoreNames.contains('deadLetter')) return resolve([])
            const req = db.transaction('deadLetter').objectStore('deadLetter').getAll()
            req.onsuccess = () => resolve(req.result.filter((r: { kind: string }) => r.kind === 'checkin').map((r: { payload: unknown }) => r.payload))
            req.onerror = () => resolve([])
          }
        }),
    )
    const rows = (await page.getByTestId('checkin-row').count()) > 0
    expect(rows).toBe(true)
    expect([...(payload as unknown[]), ...(dead as unknown[])]).toContainEqual({ code: CODE, meetingId: MEETING })
    await context.close()
  }, 60_000)
})
