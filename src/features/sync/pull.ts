/**
 * Pulls content (courses, lessons, pocket book, assignments) into Dexie, page by page, until the
 * server says there is no more. Runs on app start, when the network comes back, when the tab
 * becomes visible and every few minutes; one pull at a time per tab. Offline it simply fails
 * and the phone keeps what it has.
 */
import type { PullChange, PullResponse } from '@/protocol/content.ts'
import { api } from '@/shared/http.ts'
import { whenIdle } from '@/shared/idle.ts'
import { db } from '@/db/db.ts'
import { applyPullPage, cursorFor, signedInPerson } from './pull.db.ts'
import { loadDeviceId } from './outbox.db.ts'

export interface PullResult {
  /** The cursor the pull started from (undefined: a first, full pull). */
  from: string | undefined
  pages: number
  /** Every row the pull changed; the rows a reset's sweep deleted come as tombstones (version 0). */
  changes: PullChange[]
  cursor: string | undefined
}

type Listener = (result: PullResult) => void
const listeners = new Set<Listener>()

/** Called after every pull that changed something (the search index uses it). */
export function onContentPulled(fn: Listener): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export const pullApi = {
  page: (since: string | undefined, deviceId: string) =>
    api<PullResponse>('GET', `/v1/sync/pull?deviceId=${encodeURIComponent(deviceId)}${since ? `&since=${encodeURIComponent(since)}` : ''}`),
}

let running: Promise<PullResult> | undefined

/** Pulls every waiting page; concurrent calls share the pull already running. */
export function pullContent(): Promise<PullResult> {
  running ??= (async () => {
    const changes: PullChange[] = []
    const from = await cursorFor(await signedInPerson())
    let cursor = from
    let pages = 0
    const deviceId = await loadDeviceId(db)
    for (;;) {
      const page = await pullApi.page(cursor, deviceId)
      const swept = await applyPullPage(page)
      pages++
      changes.push(...page.changes, ...swept.map((row) => ({ ...row, version: 0, data: null }) as PullChange))
      cursor = page.cursor
      if (!page.more) break
    }
    const result = { from, pages, changes, cursor }
    if (changes.length > 0) listeners.forEach((fn) => fn(result))
    return result
  })().finally(() => (running = undefined))
  return running
}

const PERIOD_MS = 5 * 60 * 1000
let started = false

/**
 * Pulls now, and (once per page load) attaches the triggers: network back, tab visible again,
 * and a timer while online and visible. Called whenever a signed-in screen mounts.
 */
export function startContentSync(): void {
  if (typeof window === 'undefined') return
  const tryPull = () => void pullContent().catch(() => undefined)
  tryPull()
  if (started) return
  started = true
  // Keep the search index in step with each pull, off the typing path (lazy chunk), and at a quiet
  // moment: reading and saving the saved index (megabytes of JSON) blocks a cheap phone's main
  // thread, and must not land while the member is opening the pocket book.
  onContentPulled((result) => {
    void whenIdle()
      .then(() => import('@/features/pocket/search.store.ts'))
      .then((m) => m.updateSearchIndexAfterPull(result))
  })
  window.addEventListener('online', tryPull)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') tryPull()
  })
  setInterval(() => {
    if (navigator.onLine && document.visibilityState === 'visible') tryPull()
  }, PERIOD_MS)
}
