/**
 * Background Sync in the service worker (Chromium): the same `drain` the page uses, under the
 * same lock. Throwing from the handler makes the browser schedule another `sync` event later,
 * so a push stopped by the network is retried even with every tab closed.
 */
import { db } from '../db/db.ts'
import { primeOutbox } from '../features/sync/outbox.db.ts'
import { BACKGROUND_SYNC_TAG, drain } from '../features/sync/pushCore.ts'
import { pushLock } from '../features/sync/syncLock.ts'

interface SyncEventLike extends ExtendableEvent {
  tag: string
}

export function registerBackgroundPush(sw: ServiceWorkerGlobalScope): void {
  primeOutbox(db)
  const lock = pushLock(db)
  sw.addEventListener('sync' as keyof ServiceWorkerGlobalScopeEventMap, (event) => {
    const e = event as SyncEventLike
    if (e.tag !== BACKGROUND_SYNC_TAG) return
    e.waitUntil(
      (async () => {
        const result = await lock(() => drain({ db, fetch: (url, init) => sw.fetch(url, init) }))
        if (result.ran && result.value.type === 'retry') throw new Error(`push will be retried: ${result.value.reason}`)
      })(),
    )
  })
}
