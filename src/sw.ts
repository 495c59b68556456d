/**
 * The service worker: precaches the app shell so the app starts with no network, answers every
 * navigation with index.html (never /api/), and activates a new version only when the page asks,
 * after the member accepted the update prompt.
 */
import { clientsClaim } from 'workbox-core'
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'

declare let self: ServiceWorkerGlobalScope

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }))

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting()
})

// On the very first install no older version runs, so taking control at once is safe and lets
// the first page work offline without a reload.
clientsClaim()
