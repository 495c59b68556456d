/**
 * What the screens know about sync: how many records wait, when we last synced, whether a push
 * is stuck and why, and the records the server refused. Wraps the framework-free push engine.
 */
import Dexie, { liveQuery } from 'dexie'
import { defineStore } from 'pinia'
import { computed, ref, toRaw, watch } from 'vue'
import { db, type DeadLetterRecord } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { StudyEventPayload } from '@/protocol/sync.ts'
import { onServerAnswered, reportConnection } from '@/shared/network.ts'
import { loadOffset } from './clock.ts'
import { discardDeadLetter, enqueue, listDeadLetters, loadDeviceId, onEnqueued, primeOutbox, requeueDeadLetter, setOutboxOwner } from './outbox.db.ts'
import { attachPageTriggers, requestBackgroundSync } from './pageTriggers.ts'
import { pullContent } from './pull.ts'
import { SYNC_STATE_KEY, type SyncState } from './pushCore.ts'
import { PushEngine, type EngineStatus } from './pushEngine.ts'
import { pushLock } from './syncLock.ts'

/**
 * Runs `refresh` now and again at most every `everyMs` after any committed change (in this tab or
 * another: Dexie broadcasts them) to one of `tables`. Returns a function that asks for one more
 * refresh, for changes no broadcast reaches this tab with.
 */
function refreshOnChange(tables: string[], refresh: () => Promise<void>, everyMs = 300): () => void {
  const prefixes = tables.map((t) => `idb://${db.name}/${t}/`)
  let timer: ReturnType<typeof setTimeout> | undefined
  const soon = () => {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      void refresh().catch(() => undefined)
    }, everyMs)
  }
  Dexie.on('storagemutated', (parts) => {
    if (Object.keys(parts).some((k) => prefixes.some((p) => k.startsWith(p)))) soon()
  })
  void refresh().catch(() => undefined)
  return soon
}

export const useSyncStore = defineStore('sync', () => {
  const pending = ref(0)
  /** Records of a kind the server does not know yet (it is older than this app): they wait. */
  const held = ref(0)
  const refused = ref<DeadLetterRecord[]>([])
  /** Refused records the member still has to correct or discard (a corrected one only reports). */
  const refusedToHandle = computed(() => refused.value.filter((r) => r.correctedBy === undefined))
  const lastSyncedAt = ref<number>()
  const status = ref<EngineStatus>({ state: 'idle' })
  let engine: PushEngine | undefined

  /**
   * Starts the engine once per page: loads the device id and clock offset, watches the outbox
   * (changes from every tab, via Dexie's change events) and attaches the triggers. Safe offline: pushes
   * simply wait for the network.
   */
  function start(): void {
    if (engine) return
    const auth = useAuthStore()
    primeOutbox(db)
    setOutboxOwner(auth.profile?.id)
    void loadDeviceId(db)
    void loadOffset(db)
    // Not a liveQuery: that recounts the outbox after every single write, which doubled the cost
    // of `enqueue` in a burst. At most one recount per 300 ms is plenty for a badge.
    const recountOutbox = refreshOnChange(['outbox'], async () => {
      pending.value = await db.outbox.count()
      const now = Date.now()
      held.value = await db.outbox.filter((r) => (r.heldUntil ?? 0) > now).count()
    })
    // A record saved here counts at once: sent within the recount's delay (the service worker
    // often sends it the moment the signal returns), it would never have been seen waiting, and
    // screens that refresh when the count drops back to 0 would keep showing it as 待上传.
    onEnqueued(() => {
      if (pending.value === 0) pending.value = 1
    })
    liveQuery(() => listDeadLetters(db)).subscribe((rows) => (refused.value = rows))
    liveQuery(() => db.meta.get(SYNC_STATE_KEY)).subscribe((row) => {
      lastSyncedAt.value = (row?.value as SyncState | undefined)?.lastSyncedAt
    })
    engine = new PushEngine({
      env: { db, fetch: (url, init) => fetch(url, init), appVersion: __APP_VERSION__ },
      lock: pushLock(db),
      isOnline: () => navigator.onLine,
      onStatus(next) {
        status.value = next
        // The service worker's Background Sync may have sent the outbox when the network came back
        // (its Dexie writes do not always reach this tab as a change event): count again whenever
        // a run of the page's engine ends, so screens waiting for pending = 0 refresh.
        if (next.state !== 'syncing') recountOutbox()
        // The banner, 我的 and the roll call all read this one finding.
        if (next.connection) reportConnection(next.connection, next.nextAttemptAt)
      },
      // Only with no network at all: while online the page retries itself, and a service worker
      // pushing the same batch right after a lost answer would be a second identical push.
      onOffline: () => {
        if (!navigator.onLine) void requestBackgroundSync()
      },
    })
    attachPageTriggers(engine)
    onServerAnswered(() => engine?.serverReached())
    // Browser tests make writes through the real enqueue before any screen writes study events.
    if (localStorage.getItem('pps:e2e') === '1') {
      ;(window as unknown as { ppsSync: unknown }).ppsSync = {
        enqueueStudyEvent: (payload: StudyEventPayload) => enqueue(db, 'study_event', payload),
        pending: () => db.outbox.count(),
        outboxIds: async () => (await db.outbox.toArray()).map((r) => r.id),
        syncNow: () => engine?.syncNow(),
        status: () => ({ ...status.value }),
      }
    }
    // A new sign-in owns new records and may unblock records that waited for it.
    watch(
      () => auth.profile?.id,
      (id) => {
        setOutboxOwner(id)
        if (id) engine?.requestSync(0, 'start')
      },
    )
  }

  /**
   * The "sync now" button: sends at once, even inside a backoff wait, then fetches, because to a
   * member "sync" means both ways (a new assignment should arrive too). Offline the fetch just fails.
   */
  async function syncNow(): Promise<void> {
    await engine?.syncNow()
    await pullContent().catch(() => undefined)
  }

  /**
   * Sends a refused record again, optionally corrected, under a new id that names the refused one
   * (a resend under the old id would only get the old answer). The refused one stays listed with
   * what became of its correction.
   */
  async function sendAgain(record: DeadLetterRecord, payload?: unknown): Promise<void> {
    await requeueDeadLetter(db, record.id, payload === undefined ? undefined : toRaw(payload))
    engine?.requestSync(0)
  }

  /** The member chose to throw a refused record away (after confirming). */
  async function discard(record: DeadLetterRecord): Promise<void> {
    await discardDeadLetter(db, record.id)
  }

  return { pending, held, refused, refusedToHandle, lastSyncedAt, status, start, syncNow, sendAgain, discard }
})
