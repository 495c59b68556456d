/**
 * Everything outside the app shell (feature screens, English, the library's code…) is fetched
 * after the worker is active, a few files at a time, each with retries. The cache itself is the
 * progress: a run skips what it already holds, so one that the phone cut short (a failure, a
 * reload, the worker stopped) carries on where it was the next time a page asks. Pages ask on
 * every opening and while they stay open (src/shared/offlineReadiness.ts) and hear the progress.
 */
import { registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { fetchInto } from './fetchInto.ts'

const OFFLINE_ASSETS_CACHE = 'pps-assets-v1'
// As many files at once as a browser fetches from one server: their round trips overlap on a slow link.
const PARALLEL = 6

interface OfflineProgress {
  type: 'OFFLINE_PROGRESS'
  done: number
  total: number
}

export function registerOfflineAssets(sw: ServiceWorkerGlobalScope, paths: string[]): void {
  const urls = [...new Set(paths.map((p) => new URL(p, sw.location.href).href))]
  const wanted = new Set(urls)
  // Served from the cache once there; before that from the network, as any page would be.
  registerRoute(({ url }) => wanted.has(url.href), new CacheFirst({ cacheName: OFFLINE_ASSETS_CACHE }))

  let running: Promise<void> | undefined
  sw.addEventListener('message', (event) => {
    if (event.data?.type !== 'PREPARE_OFFLINE') return
    running ??= fill(sw, urls).finally(() => (running = undefined))
    event.waitUntil(running)
  })
}

async function fill(sw: ServiceWorkerGlobalScope, urls: string[]): Promise<void> {
  const cache = await caches.open(OFFLINE_ASSETS_CACHE)
  const cached = new Set((await cache.keys()).map((r) => r.url))
  // Files of older versions go: their names carry a content hash, so nothing here reuses them.
  await Promise.all([...cached].filter((u) => !urls.includes(u)).map((u) => cache.delete(u)))
  const missing = urls.filter((u) => !cached.has(u))
  let done = urls.length - missing.length
  await tell(sw, { type: 'OFFLINE_PROGRESS', done, total: urls.length })
  const next = missing[Symbol.iterator]()
  const worker = async () => {
    for (const url of next) {
      if (await fetchInto(cache, url)) done++
      await tell(sw, { type: 'OFFLINE_PROGRESS', done, total: urls.length })
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
}

async function tell(sw: ServiceWorkerGlobalScope, message: OfflineProgress): Promise<void> {
  for (const client of await sw.clients.matchAll({ type: 'window' })) client.postMessage(message)
}
