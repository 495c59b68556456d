/**
 * A cheap phone on a village link, through Chromium's own emulation (DevTools protocol): slow 3G
 * (400 ms round trip, 400 kbit/s down, 400 kbit/s up) and the CPU slowed `cpu` times.
 */
import type { Page } from 'playwright-core'

export const SLOW_3G = { latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 }

export async function emulateSlowPhone(page: Page, { cpu = 4, network = true } = {}): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  if (network) {
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_3G })
  }
  if (cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu })
}
