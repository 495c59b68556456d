/**
 * Offline playback of downloaded lesson videos: the <video> element's range requests are answered
 * from the chunks in IndexedDB (chunkAnswer.ts), so playing and seeking need no network.
 */
import { answerFromChunks } from '../features/library/video/chunkAnswer.ts'

export function registerVideoPlayback(sw: ServiceWorkerGlobalScope): void {
  sw.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url)
    if (event.request.method !== 'GET' || url.origin !== sw.location.origin || !/^\/media\/.+\.mp4$/.test(url.pathname)) return
    // A chunk the browser evicted, or a database being upgraded: the network may still help.
    const stored = answerFromChunks(event.request).catch(() => undefined)
    event.respondWith(stored.then((res) => res ?? fetch(event.request)))
  })
}
