/**
 * The sync store's count of waiting records, as the 我的 badge and the screens that refresh "when
 * everything is sent" read it. A record saved offline and sent at once when the signal returns
 * (often by the service worker) must still show as waiting first, or those screens never learn
 * it left and keep saying 待上传.
 */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { watch } from 'vue'
import { db } from '@/db/db.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { useSyncStore } from '@/features/sync/sync.store.ts'
import { studyPayload } from './support/client.ts'

describe('sync store: waiting records', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    // Nobody is signed in: the engine finds nothing to send as anyone and never calls the network.
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('offline'))))
  })
  afterEach(async () => {
    vi.unstubAllGlobals()
    await db.outbox.clear()
  })

  it('counts a record as waiting as soon as it is saved, and as gone once another context sent it', async () => {
    const sync = useSyncStore()
    sync.start()
    const seen: number[] = []
    watch(
      () => sync.pending,
      (n) => seen.push(n),
      { flush: 'sync' },
    )

    await db.transaction('rw', db.outbox, () => enqueue(db, 'study_event', studyPayload()))
    expect(sync.pending).toBe(1)

    // The service worker sends it within the moment: the outbox empties behind this tab's back.
    await db.outbox.clear()
    await vi.waitFor(() => expect(sync.pending).toBe(0), { timeout: 2_000 })
    expect(seen).toEqual([1, 0])
  })
})
