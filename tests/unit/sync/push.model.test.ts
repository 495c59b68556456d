/**
 * Model-based test of the whole client push path under faults. fast-check generates random
 * sequences of: enqueue (valid or refused-by-server records, in any tab), go offline/online,
 * request dropped before the server, response dropped after the server committed, 500, 429,
 * 401 (session revoked, then sign-in again), tab killed mid-push, page reload, a second tab,
 * two tabs syncing at once. Afterwards, with the network back, the server must hold every
 * valid record exactly once and the client must hold nothing but the refused records.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { PocketDb } from '@/db/db.ts'
import { enqueue, setOutboxOwner } from '@/features/sync/outbox.db.ts'
import { PushEngine } from '@/features/sync/pushEngine.ts'
import type { LockFn } from '@/features/sync/syncLock.ts'
import { FakePushServer, type Fault } from './support/fakeServer.ts'
import { signInAs, studyPayload } from './support/client.ts'

interface Tab {
  db: PocketDb
  engine: PushEngine
  dead: boolean
}

/** Web Locks as the browser gives them: one holder, a queue, and release when a tab dies. */
class TestLocks {
  private holder: Tab | undefined
  private waiting: Array<{ tab: Tab; grant: () => void }> = []
  lockFor(tab: Tab): LockFn {
    return async (fn) => {
      await new Promise<void>((grant) => {
        if (!this.holder) {
          this.holder = tab
          grant()
        } else this.waiting.push({ tab, grant })
      })
      try {
        return { ran: true, value: await fn() }
      } finally {
        this.release(tab)
      }
    }
  }
  release(tab: Tab): void {
    this.waiting = this.waiting.filter((w) => w.tab !== tab || this.holder === tab)
    if (this.holder !== tab) return
    this.holder = undefined
    const next = this.waiting.shift()
    if (next) {
      this.holder = next.tab
      next.grant()
    }
  }
}

type Action =
  | { t: 'enqueue'; tab: number; n: number; refused: boolean }
  | { t: 'offline' }
  | { t: 'online' }
  | { t: 'fault'; fault: Fault }
  | { t: 'sync'; tab: number }
  | { t: 'syncTwoTabs' }
  | { t: 'killMidPush'; tab: number }
  | { t: 'reload'; tab: number }
  | { t: 'newTab' }
  | { t: 'revokeSession' }
  | { t: 'signIn' }

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('enqueue' as const), tab: fc.nat(3), n: fc.integer({ min: 1, max: 4 }), refused: fc.boolean().map((b) => b && Math.random() < 0.4) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'offline' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'online' as const }) },
  {
    // A queued fault strikes only if a request follows it: at weight 3 and 120 runs a kind struck
    // ~4 times and now and then never (a failed coverage check, not a bug). Weight 6 and 300 runs
    // make each kind strike ~15 times.
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('fault' as const),
      fault: fc.constantFrom<Fault>('dropRequest', 'dropResponse', 'status500', 'status429', 'status401', 'captivePortal'),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('sync' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'syncTwoTabs' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('killMidPush' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reload' as const), tab: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'newTab' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'revokeSession' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'signIn' as const }) },
)

let run = 0
/** Across all runs: how often each fault really struck, so the property cannot pass vacuously. */
const struck = new Map<string, number>()
const strike = (what: string) => struck.set(what, (struck.get(what) ?? 0) + 1)

async function check(actions: Action[]): Promise<void> {
  const name = `model-${run++}`
  const server = new FakePushServer()
  const locks = new TestLocks()
  const made = new Map<string, 'valid' | 'refused'>()
  const tabs: Tab[] = []
  let tokenSerial = 0
  setOutboxOwner(undefined)

  const openTab = (): Tab => {
    const db = new PocketDb(name)
    const tab = { db, dead: false } as Tab
    const fetch = async (url: string, init: RequestInit): Promise<Response> => {
      if (tab.dead) return new Promise<Response>(() => undefined)
      return server.fetch(url, init)
    }
    tab.engine = new PushEngine({
      env: { db, fetch },
      lock: locks.lockFor(tab),
      // Timers never fire on their own: the model decides when each tab syncs.
      setTimeout: () => 0,
      clearTimeout: () => undefined,
    })
    tabs.push(tab)
    return tab
  }
  const kill = (tab: Tab) => {
    tab.dead = true
    tab.engine.stop()
    tab.db.close()
    locks.release(tab)
  }
  const live = () => tabs.filter((t) => !t.dead)
  const pick = (i: number) => live()[i % live().length]!

  const first = openTab()
  await signInAs(first.db, 'tok')

  for (const a of actions) {
    switch (a.t) {
      case 'enqueue': {
        const tab = pick(a.tab)
        for (let i = 0; i < a.n; i++) {
          // The write and its outbox record in one transaction, as features do it.
          const id = await tab.db.transaction('rw', [tab.db.outbox], () =>
            enqueue(tab.db, 'study_event', studyPayload(a.refused ? 999_999 : 60 + i)),
          )
          made.set(id, a.refused ? 'refused' : 'valid')
        }
        break
      }
      case 'offline':
        server.online = false
        break
      case 'online':
        server.online = true
        break
      case 'fault':
        server.faults.push(a.fault)
        break
      case 'sync':
        await pick(a.tab).engine.syncNow()
        break
      case 'syncTwoTabs': {
        if (live().length < 2) openTab()
        await Promise.all([live()[0]!.engine.syncNow(), live()[1]!.engine.syncNow()])
        break
      }
      case 'killMidPush': {
        const tab = pick(a.tab)
        if (live().length === 1) openTab()
        // The server commits the batch, then the tab dies before it can read the answer.
        server.afterCommit = () => {
          server.afterCommit = undefined
          strike('tab killed after the server committed')
          kill(tab)
        }
        void tab.engine.syncNow()
        await new Promise((r) => setTimeout(r, 30))
        server.afterCommit = undefined
        if (!tab.dead) kill(tab) // nothing was sent (offline, empty…): kill it anyway
        break
      }
      case 'reload': {
        const tab = pick(a.tab)
        kill(tab)
        openTab()
        break
      }
      case 'newTab':
        if (live().length < 3) openTab()
        break
      case 'revokeSession':
        server.tokens.clear()
        break
      case 'signIn': {
        const token = `tok-${++tokenSerial}`
        server.tokens.set(token, 'p1')
        await signInAs(live()[0]!.db, token)
        break
      }
    }
  }

  // The network comes back, the member signs in if needed, and some tab syncs to the end.
  server.online = true
  server.faults.length = 0
  if (![...server.tokens.values()].includes('p1')) {
    server.tokens.set('tok-final', 'p1')
    await signInAs(live()[0]!.db, 'tok-final')
  }
  for (const [fault, n] of server.faultsHit) struck.set(fault, (struck.get(fault) ?? 0) + n)
  if (tabs.length > 1) strike('more than one tab')
  const tab = live()[0] ?? openTab()
  for (let i = 0; i < 3 && (await tab.db.outbox.count()) > 0; i++) await tab.engine.syncNow()

  const valid = [...made].filter(([, v]) => v === 'valid').map(([id]) => id)
  const refused = [...made].filter(([, v]) => v === 'refused').map(([id]) => id)
  for (const id of valid) expect(server.applied.get(id), `record ${id} applied once`).toBe(1)
  expect(server.stored.size).toBe(valid.length)
  expect(await tab.db.outbox.count()).toBe(0)
  expect((await tab.db.deadLetter.toArray()).map((r) => r.id).sort()).toEqual(refused.sort())

  for (const t of tabs) if (!t.dead) kill(t)
  await new PocketDb(name).delete()
}

describe('push engine under random faults (model-based)', () => {
  it('delivers every record exactly once and keeps only refused ones', async () => {
    // Killed tabs fail their pending Dexie calls ("database closed"): expected, and logged.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), check),
      { numRuns: Number(process.env.MODEL_RUNS ?? 300), interruptAfterTimeLimit: 90_000 },
    )
    for (const what of ['dropRequest', 'dropResponse', 'status500', 'status429', 'status401', 'captivePortal', 'tab killed after the server committed', 'more than one tab']) {
      expect(struck.get(what) ?? 0, `${what} happened in some run`).toBeGreaterThan(0)
    }
  }, 150_000)
})
