/**
 * The service worker: precaches the app shell (only that, so the install is quick and rarely
 * fails), then fetches the rest in the background so the app starts with no network; answers every
 * navigation with index.html (never /api/), and activates a new version only when the page asks,
 * after the member accepted the update prompt.
 */
import { clientsClaim } from 'workbox-core'
import { CacheableResponsePlugin } from 'workbox-cacheable-response'
import { RangeRequestsPlugin } from 'workbox-range-requests'
import { registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { registerAppShell, type ShellEntry } from './sw/appShell.ts'
import { registerBackgroundPush } from './sw/backgroundPush.ts'
import { registerVideoPlayback } from './sw/videoChunks.ts'
import { registerOfflineAssets } from './sw/offlineAssets.ts'

// The build fills in __WB_MANIFEST: every file of the app, the app shell's marked (vite.config.ts).
declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<ShellEntry & { shell?: true }> }

// Before the shell's and Workbox's routes: a downloaded lesson video is answered from its stored chunks.
registerVideoPlayback(self)

const files = self.__WB_MANIFEST
registerAppShell(self, files.filter((f) => f.shell))
registerOfflineAssets(self, files.filter((f) => !f.shell).map((f) => f.url))

// Course media (covers, images, audio) from the named cache that "download for offline" fills
// (src/features/library/media.cache.ts uses the same name). Media URLs carry a content hash, so
// a cached copy is never stale. Only whole 200 responses are cached; the range plugin cuts the
// 206 answers audio and video seeking need from them, so playback seeks offline too.
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/media/'),
  new CacheFirst({
    cacheName: 'pps-media-v1',
    plugins: [new CacheableResponsePlugin({ statuses: [200] }), new RangeRequestsPlugin()],
  }),
)

// Outbox records still waiting when the tab closed go out when the network returns (Chromium).
registerBackgroundPush(self)

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting()
})

// On the very first install no older version runs, so taking control at once is safe and lets
// the first page work offline without a reload.
clientsClaim()
