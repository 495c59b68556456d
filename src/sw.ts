/**
 * The service worker: precaches the app shell so the app starts with no network, answers every
 * navigation with index.html (never /api/), and activates a new version only when the page asks,
 * after the member accepted the update prompt.
 */
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { CacheableResponsePlugin } from 'workbox-cacheable-response'
import { RangeRequestsPlugin } from 'workbox-range-requests'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { registerBackgroundPush } from './sw/backgroundPush.ts'
import { registerVideoPlayback } from './sw/videoChunks.ts'

declare let self: ServiceWorkerGlobalScope

// Before Workbox's routes: a downloaded lesson video is answered from its stored chunks.
registerVideoPlayback(self)

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }))

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
