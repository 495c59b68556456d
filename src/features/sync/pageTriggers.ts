/**
 * When the page pushes: at start, when the browser comes online, when the tab becomes visible,
 * shortly after a write is enqueued, every minute while online, and at once when any other
 * request got an answer (sync.store: `serverReached`). Background Sync (Chromium)
 * is asked for when a push fails for lack of network, so the service worker can finish the job
 * after the tab is closed; other browsers rely on these page triggers.
 */
import { onEnqueued } from './outbox.db.ts'
import { BACKGROUND_SYNC_TAG } from './pushCore.ts'
import type { PushEngine } from './pushEngine.ts'

const PERIOD_MS = 60_000

interface SyncManagerLike {
  register(tag: string): Promise<void>
}

let lastAsked = 0

/**
 * Asks the service worker for a `sync` event when the network returns (Chromium only). One
 * registration covers every record, so a burst of offline writes asks once.
 */
export async function requestBackgroundSync(): Promise<void> {
  if (Date.now() - lastAsked < 10_000) return
  lastAsked = Date.now()
  try {
    const registration = await navigator.serviceWorker?.getRegistration()
    const sync = (registration as (ServiceWorkerRegistration & { sync?: SyncManagerLike }) | undefined)?.sync
    await sync?.register(BACKGROUND_SYNC_TAG)
  } catch {
    // No service worker yet, or Background Sync refused: the page triggers still run.
  }
}

export function attachPageTriggers(engine: PushEngine): () => void {
  const onOnline = () => engine.requestSync(0, 'online')
  const onVisible = () => {
    if (document.visibilityState === 'visible') engine.requestSync(0, 'visible')
  }
  window.addEventListener('online', onOnline)
  document.addEventListener('visibilitychange', onVisible)
  const offEnqueued = onEnqueued(() => {
    engine.requestSync()
    if (!navigator.onLine) void requestBackgroundSync()
  })
  const timer = setInterval(() => {
    if (navigator.onLine) engine.requestSync(0, 'periodic')
  }, PERIOD_MS)
  engine.requestSync(0, 'start')
  return () => {
    window.removeEventListener('online', onOnline)
    document.removeEventListener('visibilitychange', onVisible)
    offEnqueued()
    clearInterval(timer)
  }
}
