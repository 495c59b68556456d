/**
 * Only one pusher at a time per device (tabs and the service worker): with the Web Locks API
 * where the browser has it, else a lease row in Dexie that a killed tab cannot hold for long.
 * Two pushers at once would still be correct (the server dedupes by id); the lock only saves
 * traffic and keeps the sync status honest.
 */
import type { PocketDb } from '../../db/db.ts'
import { uuidv7 } from './uuidv7.ts'

export const PUSH_LOCK_NAME = 'pocket-party-school:push'

/** Runs `fn` holding the lock; `ran: false` when another holder has it (lease fallback only). */
export type LockFn = <T>(fn: () => Promise<T>) => Promise<{ ran: true; value: T } | { ran: false }>

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>
}

/**
 * Web Locks; the browser frees the lock when a tab or worker dies. It does not wait its turn: a
 * pusher that queued behind another would send the very batch the other just sent (one push in
 * flight per phone); it looks again later instead, when the outbox holds only what is left.
 */
export function webLock(locks: LockManagerLike, name = PUSH_LOCK_NAME): LockFn {
  return (fn) => locks.request(name, { ifAvailable: true }, async (lock) => (lock ? { ran: true as const, value: await fn() } : { ran: false as const }))
}

interface Lease {
  owner: string
  expiresAt: number
}

/**
 * A lease in `meta`, taken and renewed in read-write transactions (IndexedDB serialises them
 * across tabs). A tab killed while holding it blocks others for at most `leaseMs`.
 */
export function leaseLock(db: PocketDb, { leaseMs = 30_000, now = Date.now, owner = uuidv7() } = {}): LockFn {
  const key = 'pushLease'
  const take = () =>
    db.transaction('rw', db.meta, async () => {
      const lease = (await db.meta.get(key))?.value as Lease | undefined
      if (lease && lease.owner !== owner && lease.expiresAt > now()) return false
      await db.meta.put({ key, value: { owner, expiresAt: now() + leaseMs } satisfies Lease })
      return true
    })
  return async (fn) => {
    if (!(await take())) return { ran: false }
    const renew = setInterval(() => void take(), leaseMs / 3)
    try {
      return { ran: true, value: await fn() }
    } finally {
      clearInterval(renew)
      await db.transaction('rw', db.meta, async () => {
        const lease = (await db.meta.get(key))?.value as Lease | undefined
        if (lease?.owner === owner) await db.meta.delete(key)
      })
    }
  }
}

/** The best lock this context offers (page or service worker). */
export function pushLock(db: PocketDb): LockFn {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
  return locks ? webLock(locks) : leaseLock(db)
}
