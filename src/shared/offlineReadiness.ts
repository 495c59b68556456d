/**
 * Whether this phone can open the app with no network, for the member to see ("已可离线使用" /
 * "正在准备离线使用 40%"). It also keeps the work going: a failed service-worker install (one
 * dropped request on a village link) is tried again, and the worker is asked to fetch what it
 * still lacks, on every opening, while the page stays open, and when the network returns.
 */
import { ref } from 'vue'

export type OfflineState = 'unsupported' | 'preparing' | 'ready'

export const offlineReadiness = ref<{ state: OfflineState; percent: number }>({ state: 'preparing', percent: 0 })

/** The file vite-plugin-pwa registers (src/sw.ts built); registered again when an install failed. */
const SW_URL = '/sw.js'
const RETRY_MS = 10_000

export function startOfflineReadiness(): void {
  const container = navigator.serviceWorker
  if (!container || import.meta.env.DEV) {
    offlineReadiness.value = { state: 'unsupported', percent: 0 }
    return
  }
  container.addEventListener('message', (event) => {
    const data = event.data as { type?: string; done: number; total: number } | undefined
    if (data?.type !== 'OFFLINE_PROGRESS') return
    offlineReadiness.value =
      data.done >= data.total ? { state: 'ready', percent: 100 } : { state: 'preparing', percent: Math.floor((data.done / data.total) * 100) }
  })
  const step = () => {
    if (offlineReadiness.value.state !== 'ready') void prepare(container)
  }
  container.addEventListener('controllerchange', step)
  window.addEventListener('online', step)
  setInterval(step, RETRY_MS)
  step()
}

async function prepare(container: ServiceWorkerContainer): Promise<void> {
  const registration = await container.getRegistration()
  if (registration?.active) return registration.active.postMessage({ type: 'PREPARE_OFFLINE' })
  // A first install still running is left alone; a failed one left no worker at all.
  if (registration?.installing || registration?.waiting) return
  await container.register(SW_URL, { scope: '/' }).catch(() => undefined)
}
