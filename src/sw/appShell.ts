/**
 * The app shell: what the first screens need to start (the build marks it, vite.config.ts). The
 * install caches only these, each file with retries, so one dropped request on a village link no
 * longer fails the whole install; files already cached by an earlier, failed attempt are kept, so
 * the next attempt (the page tries again, src/shared/offlineReadiness.ts) only fetches the rest.
 * Each version has its own cache, so installing an update never changes what the running version
 * serves; activation drops the older ones.
 */
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { fetchInto } from './fetchInto.ts'

const SHELL_PREFIX = 'pps-shell-'
/** Caches of earlier versions of this worker (Workbox precaching). */
const OLD_PRECACHE_PREFIX = 'workbox-precache-'
const PARALLEL = 4

export interface ShellEntry {
  url: string
  /** null for files whose name carries a content hash. */
  revision: string | null
}

export function registerAppShell(sw: ServiceWorkerGlobalScope, entries: ShellEntry[]): void {
  const cacheName = SHELL_PREFIX + versionOf(entries)
  const urls = [...new Set(entries.map((e) => new URL(e.url, sw.location.href).href))]
  const hashed = new Set(entries.filter((e) => e.revision === null).map((e) => new URL(e.url, sw.location.href).href))
  const indexHtml = new URL('/index.html', sw.location.href).href

  sw.addEventListener('install', (event) => event.waitUntil(cacheShell(cacheName, urls, hashed)))
  sw.addEventListener('activate', (event) => event.waitUntil(dropOtherShells(cacheName)))

  const shell = new Set(urls)
  registerRoute(({ url }) => shell.has(url.href), new CacheFirst({ cacheName }))
  // Every navigation (a deep link, a reload offline) gets index.html; the router does the rest.
  registerRoute(
    new NavigationRoute(async () => (await caches.open(cacheName)).match(indexHtml).then((hit) => hit ?? fetch(indexHtml)), {
      denylist: [/^\/api\//],
    }),
  )
}

async function cacheShell(cacheName: string, urls: string[], hashed: Set<string>): Promise<void> {
  const cache = await caches.open(cacheName)
  const cached = new Set((await cache.keys()).map((r) => r.url))
  const missing = urls.filter((u) => !cached.has(u))
  const failed: string[] = []
  const next = missing[Symbol.iterator]()
  const worker = async () => {
    for (const url of next) {
      // A file named by its content is the same in any version: take the earlier version's copy.
      const earlier = hashed.has(url) ? await caches.match(url) : undefined
      if (earlier) await cache.put(url, earlier)
      else if (!(await fetchInto(cache, url))) failed.push(url)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  if (failed.length > 0) throw new Error(`app shell incomplete: ${failed.join(', ')}`)
}

async function dropOtherShells(current: string): Promise<void> {
  const names = await caches.keys()
  await Promise.all(
    names.filter((n) => (n.startsWith(SHELL_PREFIX) && n !== current) || n.startsWith(OLD_PRECACHE_PREFIX)).map((n) => caches.delete(n)),
  )
}

/** A short name for this set of files and revisions (FNV-1a): it changes whenever one does. */
function versionOf(entries: ShellEntry[]): string {
  let hash = 0x811c9dc5
  for (const ch of entries.map((e) => `${e.url} ${e.revision}`).join('\n')) {
    hash ^= ch.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}
