/**
 * A member's first visit on slow 3G (400 ms round trip, 400 kbit/s down, Chromium's own network
 * emulation): the login screen can be used within 6 s, and the service worker's downloads (the
 * app shell, then everything else) only start once it can, so they never compete with it.
 */
import { describe, expect, it } from 'vitest'
import { newPhone, usePhone } from './support/browser.ts'
import { emulateSlowPhone } from './support/slowPhone.ts'

const phone = usePhone()
const USABLE_WITHIN_MS = 6000

describe('first visit on slow 3G', () => {
  it('shows a usable login screen within 6 s, before the service worker downloads anything', async () => {
    const context = await newPhone(phone.browser, phone.server.url)
    const page = await context.newPage()
    await emulateSlowPhone(page, { cpu: 1 })
    const workerRequests: number[] = []
    const start = Date.now()
    context.on('request', (request) => {
      if (request.serviceWorker()) workerRequests.push(Date.now())
    })

    await page.goto('/login', { waitUntil: 'commit' })
    // Read in the page, on its own frames: the moment the form can be filled in and sent.
    const usableAt = await page.waitForFunction(
      () => {
        const submit = document.querySelector<HTMLButtonElement>('[data-testid="login-submit"]')
        const input = document.querySelector('[data-testid="login-phone"] input')
        return input && submit && !submit.disabled && performance.timeOrigin + performance.now()
      },
      undefined,
      { polling: 'raf', timeout: 20_000 },
    )
    const usableMs = Math.round(Number(await usableAt.jsonValue()) - start)
    // The worker registers and starts its downloads after this; wait until it has.
    await expect.poll(() => workerRequests.length, { timeout: 30_000 }).toBeGreaterThan(0)
    const firstWorkerRequestMs = workerRequests[0]! - start
    console.log(`slow 3G first visit: login usable after ${usableMs} ms; the service worker's first download at ${firstWorkerRequestMs} ms`)

    expect(usableMs).toBeLessThanOrEqual(USABLE_WITHIN_MS)
    expect(firstWorkerRequestMs).toBeGreaterThanOrEqual(usableMs)
    await context.close()
  }, 60_000)
})
