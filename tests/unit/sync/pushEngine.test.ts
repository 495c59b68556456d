import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PocketDb } from '@/db/db.ts'
import { backoffDelay, PushEngine, type EngineStatus } from '@/features/sync/pushEngine.ts'
import { leaseLock, type LockFn } from '@/features/sync/syncLock.ts'
import { FakePushServer } from './support/fakeServer.ts'
import { enqueueMany, freshDb, signInAs } from './support/client.ts'

/** Timers the test fires by hand. */
class ManualTimers {
  private next = 1
  readonly pending = new Map<number, { fn: () => void; ms: number }>()
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++
    this.pending.set(id, { fn, ms })
    return id
  }
  clearTimeout = (id: unknown) => void this.pending.delete(id as number)
  delays = () => [...this.pending.values()].map((t) => t.ms)
  fireAll() {
    const all = [...this.pending.values()]
    this.pending.clear()
    for (const t of all) t.fn()
  }
}

const noLock: LockFn = async (fn) => ({ ran: true, value: await fn() })


describe('backoff', () => {
  it('doubles up to ten seconds, jitters between half and all, and never undercuts Retry-After', () => {
    expect(backoffDelay(1, undefined, () => 0)).toBe(500)
    expect(backoffDelay(1, undefined, () => 1)).toBe(1000)
    expect(backoffDelay(4, undefined, () => 1)).toBe(8000)
    expect(backoffDelay(30, undefined, () => 1)).toBe(10_000)
    expect(backoffDelay(30, undefined, () => 0)).toBe(5_000)
    expect(backoffDelay(30, 60_000, () => 1)).toBe(60_000)
    expect(backoffDelay(1, 7000, () => 0.5)).toBe(7000)
  })
})

describe('push engine', () => {
  let db: PocketDb
  let server: FakePushServer
  let timers: ManualTimers
  let statuses: EngineStatus[]
  let now: number
  let online: boolean
  const engine = (lock: LockFn = noLock) =>
    new PushEngine({
      env: { db, fetch: server.fetch },
      lock,
      now: () => now,
      isOnline: () => online,
      random: () => 1,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      onStatus: (s) => statuses.push(s),
    })
  beforeEach(async () => {
    db = freshDb()
    server = new FakePushServer()
    timers = new ManualTimers()
    statuses = []
    now = 1_000_000
    online = true
    await signInAs(db)
  })
  afterEach(() => db.delete())

  /** Fires every due timer (retry, debounce) and waits for the push it started. */
  const tick = async (e: PushEngine) => {
    timers.fireAll()
    await e.settled()
  }

  it('coalesces a burst of triggers into one debounced run', async () => {
    const e = engine()
    await enqueueMany(db, 3)
    for (let i = 0; i < 10; i++) e.requestSync()
    expect(timers.pending.size).toBe(1)
    timers.fireAll()
    await e.syncNow()
    expect(server.requests).toBe(1)
    expect(await db.outbox.count()).toBe(0)
    expect(statuses.at(-1)).toMatchObject({ state: 'idle' })
    expect(statuses.some((s) => s.state === 'idle' && s.reachedServer)).toBe(true)
  })

  it('backs off exponentially after failures and recovers', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    server.online = false
    await e.syncNow()
    expect(statuses.at(-1)!.state).toBe('offline')
    expect(timers.delays()).toEqual([1000])
    await tick(e)
    expect(timers.delays()).toEqual([2000])
    await tick(e)
    expect(timers.delays()).toEqual([4000])
    server.online = true
    await tick(e)
    expect(await db.outbox.count()).toBe(0)
    expect(statuses.at(-1)!.state).toBe('idle')
  })

  it('waits at least Retry-After on 429 and ignores automatic triggers meanwhile', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    server.faults.push('status429')
    await e.syncNow()
    expect(statuses.at(-1)).toMatchObject({ state: 'waiting', error: 'RATE_LIMITED' })
    expect(timers.delays()).toEqual([7000])
    e.requestSync(0) // e.g. a new record: must not jump the server's queue
    expect(timers.delays()).toEqual([7000])
    timers.fireAll()
    await e.syncNow()
    expect(await db.outbox.count()).toBe(0)
  })

  it('runs once more when a record arrives during a push, so nothing is left behind', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    const first = e.syncNow()
    await enqueueMany(db, 1)
    void e.syncNow()
    await first
    await e.syncNow()
    expect(await db.outbox.count()).toBe(0)
  })

  it('tries again soon when the network returns during a failing push, not after the backoff', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    server.online = false
    e.requestSync(0)
    for (let i = 0; i < 3; i++) await tick(e)
    timers.fireAll()
    const failing = e.settled()
    e.requestSync(0, 'online') // arriving while the failing push is in flight
    await failing
    expect(Math.max(...timers.delays())).toBe(8000)
    expect(Math.min(...timers.delays())).toBeLessThan(1000)
  })

  it('stops with needsSignIn on 401 and keeps the outbox', async () => {
    const e = engine()
    await enqueueMany(db, 2)
    server.tokens.clear()
    await e.syncNow()
    expect(statuses.at(-1)).toMatchObject({ state: 'needsSignIn' })
    expect(await db.outbox.count()).toBe(2)
    expect(timers.pending.size).toBe(0)
  })

  it('empties the outbox within seconds after a long outage clears, with no one touching the phone', async () => {
    const e = engine()
    await enqueueMany(db, 3)
    server.down = true
    e.requestSync(0)
    for (let i = 0; i < 12; i++) await tick(e)
    expect(e.status).toMatchObject({ state: 'waiting', connection: 'busy' })
    // The next automatic try is at most ten seconds away, however long the outage lasted.
    expect(Math.max(...timers.delays())).toBeLessThanOrEqual(10_000)
    server.down = false
    await tick(e)
    expect(await db.outbox.count()).toBe(0)
    expect(await db.deadLetter.count()).toBe(0)
  })

  it('tries at once when 立即同步 is tapped during a backoff, and never pushes the next automatic try later', async () => {
    const e = engine()
    await enqueueMany(db, 2)
    server.down = true
    e.requestSync(0)
    for (let i = 0; i < 4; i++) await tick(e)
    const due = e.status.nextAttemptAt!
    const requests = server.requests
    now += 1000
    await e.syncNow()
    expect(server.requests).toBe(requests + 1)
    expect(e.status.nextAttemptAt).toBeLessThanOrEqual(due)
    expect(Math.max(...timers.delays())).toBeLessThanOrEqual(due - 1_000_000)
    server.down = false
    await tick(e)
    expect(await db.outbox.count()).toBe(0)
  })

  it('lets triggers that fire during a push join it: one push in flight, and one resend after a lost answer', async () => {
    const e = engine()
    const ids = await enqueueMany(db, 3)
    let release!: () => void
    server.afterCommit = () => new Promise<void>((r) => (release = r))
    server.faults.push('dropResponse')
    e.requestSync(0)
    timers.fireAll()
    await vi.waitFor(() => expect(release).toBeDefined())
    // Enqueue, online, visible, the periodic timer and three taps, all while the push waits for its answer.
    for (let i = 0; i < 3; i++) {
      e.requestSync()
      e.requestSync(0, 'visible')
      void e.syncNow()
    }
    timers.fireAll()
    server.afterCommit = undefined
    release()
    await e.settled()
    expect(server.requests).toBe(1)
    expect(timers.pending.size).toBe(1)
    await tick(e)
    expect(server.requests).toBe(2)
    expect(await db.outbox.count()).toBe(0)
    expect(ids.map((id) => server.applied.get(id))).toEqual([1, 1, 1])
  })

  it('pushes at once when another request just reached the server (a pull, any API call)', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    server.online = false
    e.requestSync(0)
    for (let i = 0; i < 5; i++) await tick(e)
    server.online = true
    e.serverReached()
    await e.settled()
    expect(await db.outbox.count()).toBe(0)
  })

  it('names what is wrong: no network, an answer lost, the server unreachable, the server busy until a time', async () => {
    const e = engine()
    await enqueueMany(db, 1)
    online = false
    server.online = false
    e.requestSync(0)
    await tick(e)
    expect(e.status).toMatchObject({ state: 'offline', connection: 'noNetwork' })

    online = true
    server.online = true
    e.serverReached() // e.g. the pull at start
    await e.settled()
    await enqueueMany(db, 1)
    server.faults.push('dropResponse')
    e.requestSync(0)
    await tick(e)
    expect(e.status).toMatchObject({ state: 'offline', connection: 'answerLost' })

    server.online = false
    for (let i = 0; i < 3; i++) await tick(e)
    expect(e.status).toMatchObject({ state: 'offline', connection: 'unreachable' })

    server.online = true
    server.faults.push('status429')
    await tick(e)
    expect(e.status).toMatchObject({ state: 'waiting', connection: 'busy' })
    expect(e.status.nextAttemptAt).toBeGreaterThanOrEqual(now + 7000)
  })
})

describe('lease lock (browsers without Web Locks)', () => {
  it('lets one holder in at a time and frees the lease of a killed tab after it expires', async () => {
    const db = freshDb()
    let now = 1_000_000
    const a = leaseLock(db, { leaseMs: 30_000, now: () => now, owner: 'a' })
    const b = leaseLock(db, { leaseMs: 30_000, now: () => now, owner: 'b' })
    let release!: () => void
    const held = a(() => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    expect(await b(async () => 'b ran')).toEqual({ ran: false })
    release()
    await held
    expect(await b(async () => 'b ran')).toEqual({ ran: true, value: 'b ran' })

    // Tab "a" takes the lease and is killed: its lease stays behind in the database.
    await db.meta.put({ key: 'pushLease', value: { owner: 'a', expiresAt: now + 30_000 } })
    expect((await b(async () => 1)).ran).toBe(false)
    now += 30_001
    expect((await b(async () => 1)).ran).toBe(true)
    await db.delete()
  })
})
