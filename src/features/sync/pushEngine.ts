/**
 * The page's push scheduler: decides WHEN to run `drain` (triggers, debounce, backoff) and
 * reports a status. Framework-free and clock-injectable so tests can drive it; the Pinia store
 * wraps it for the screens.
 *
 * One push in flight per page, whatever fires: a trigger that arrives during a push joins it
 * (one more run follows only if it succeeded, to pick up records made meanwhile). Across tabs and
 * the service worker the push lock keeps it to one per phone.
 */
import { drain, type DrainResult, type PushEnv } from './pushCore.ts'
import type { LockFn } from './syncLock.ts'

export type EngineState = 'idle' | 'syncing' | 'waiting' | 'offline' | 'needsSignIn' | 'error'

/**
 * What stands between the phone and the server, as the member should hear it: no network at all,
 * the server out of reach, the server busy (until `nextAttemptAt`), or the server's answer lost
 * on the way back (the records are being sent again; the server keeps each once).
 */
export type Connection = 'ok' | 'noNetwork' | 'unreachable' | 'busy' | 'answerLost'

export interface EngineStatus {
  state: EngineState
  /** When the next automatic attempt is due (device clock), while waiting. */
  nextAttemptAt?: number
  /** Stable code of the last failure, for an i18n message. */
  error?: string
  /** The last run got an answer from the server (so it is reachable, whatever the status). */
  reachedServer?: boolean
  /** Set whenever the last run learned something about the connection. */
  connection?: Connection
}

/**
 * Why a sync is asked for. `online`, `visible` and `start` are news that the way to the server may
 * be open again: they skip the backoff (never the server's own Retry-After). `enqueue` and
 * `periodic` leave a scheduled retry alone. (Another request getting an answer is `serverReached`.)
 */
export type Trigger = 'enqueue' | 'periodic' | 'online' | 'visible' | 'start'

export interface EngineOptions {
  env: PushEnv
  lock: LockFn
  onStatus?: (status: EngineStatus) => void
  /** Called when a push stops for lack of network, e.g. to register Background Sync. */
  onOffline?: () => void
  /** navigator.onLine: false means no network at all (true proves nothing). */
  isOnline?: () => boolean
  random?: () => number
  now?: () => number
  debounceMs?: number
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

const BASE_DELAY_MS = 1_000
/**
 * The longest automatic wait. Short, because the member is often standing there with a phone
 * that just got signal back: the outbox must empty within seconds of the fault clearing. A busy
 * server protects itself with Retry-After, which is always respected.
 */
const MAX_DELAY_MS = 10_000
/** A failure soon after an answer, while the network is up, is an answer lost, not a dead server. */
const RECENT_CONTACT_MS = 60_000
const LOST_ANSWER_FAILURES = 2
const TRIGGERS_THAT_SKIP_BACKOFF: ReadonlySet<Trigger> = new Set(['online', 'visible', 'start'])

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits between half and all of
 * min(10 s, 1 s · 2^(n−1)), so a village of phones does not retry in step, and never less
 * than the server's Retry-After.
 */
export function backoffDelay(failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1))
  const jittered = ceiling / 2 + random() * (ceiling / 2)
  return Math.max(jittered, retryAfterMs ?? 0)
}

export class PushEngine {
  private failures = 0
  private networkFailures = 0
  private lastContactAt: number | undefined
  /** The server's Retry-After: no automatic push before this. */
  private notBefore = 0
  private running: Promise<DrainResult | undefined> | undefined
  /** A trigger joined the running push: run once more if that push succeeded. */
  private again = false
  /** The network came back during a push: try soon even if that push failed. */
  private soon = false
  private debounce: unknown
  private retryTimer: unknown
  private retryAt: number | undefined
  private stopped = false
  status: EngineStatus = { state: 'idle' }

  constructor(private readonly opts: EngineOptions) {
    // The split state of pushCore lives as long as the engine (see SplitState).
    opts.env.split ??= { strikes: 0, healthy: false }
  }

  /** A trigger fired: sync soon, coalescing bursts into one run. */
  requestSync(delayMs = this.opts.debounceMs ?? 800, trigger: Trigger = 'enqueue'): void {
    if (this.stopped) return
    const skipsBackoff = TRIGGERS_THAT_SKIP_BACKOFF.has(trigger)
    if (this.running) {
      this.again = true
      // Only the network coming back is news to a push in flight: anything else (a tab turning
      // visible, a pull answering) is already being answered by it, and a resend right after a
      // lost answer would only be a second identical push.
      if (trigger === 'online') this.soon = true
      return
    }
    if (this.now() < this.notBefore) return
    // A retry is already scheduled and nothing suggests the way is open again: it will carry this too.
    if (this.retryTimer !== undefined && !skipsBackoff) return
    if (this.debounce !== undefined) return
    this.debounce = this.setTimeout(() => {
      this.debounce = undefined
      void this.start(false)
    }, delayMs)
  }

  /** Another request (a pull, any API call) got an answer: the server is back, push now. */
  serverReached(): void {
    this.lastContactAt = this.now()
    if (this.failures === 0 || this.stopped || this.running) return
    // Still inside the server's Retry-After: say so again (the answer just cleared the banner).
    if (this.now() < this.notBefore) return this.setStatus(this.status)
    if (this.debounce !== undefined) this.clear(this.debounce)
    this.debounce = undefined
    void this.start(false)
  }

  /**
   * The 立即同步 button: always tries now (even inside the server's Retry-After: a person asked),
   * or joins the push that is running. A failed tap never moves the next automatic try later.
   */
  syncNow(): Promise<DrainResult | undefined> {
    return this.start(true)
  }

  /** Resolves when no push is running (tests, and callers that want to read the result). */
  async settled(): Promise<void> {
    while (this.running) await this.running
  }

  stop(): void {
    this.stopped = true
    this.clearRetry()
    if (this.debounce !== undefined) this.clear(this.debounce)
    this.debounce = undefined
  }

  private start(manual: boolean): Promise<DrainResult | undefined> {
    if (this.stopped) return Promise.resolve(undefined)
    if (this.running) {
      this.again = true
      return this.running
    }
    if (!manual) this.clearRetry()
    this.running = this.loop(manual).finally(() => {
      this.running = undefined
      if (this.soon && !this.stopped) {
        this.soon = false
        this.requestSync(0, 'online')
      }
    })
    return this.running
  }

  private async loop(manual: boolean): Promise<DrainResult | undefined> {
    let result: DrainResult | undefined
    do {
      this.again = false
      this.setStatus({ ...this.status, state: 'syncing' })
      try {
        const locked = await this.opts.lock(() => drain(this.opts.env))
        if (!locked.ran) {
          // Another tab (or the service worker) is pushing: its push is ours; look again shortly.
          this.setStatus({ state: 'idle' })
          this.scheduleRetry(5_000)
          return undefined
        }
        result = locked.value
      } catch (err) {
        // IndexedDB failures (quota, a closing database): keep everything, try again later.
        result = { type: 'retry', reason: 'server' }
        console.warn('push failed', err)
      }
      this.afterDrain(result, manual)
      manual = false
    } while (this.again && !this.stopped && result.type === 'done')
    // Triggers that joined a failed push were answered by it: the scheduled retry covers them.
    this.again = false
    return result
  }

  private afterDrain(result: DrainResult, manual: boolean): void {
    switch (result.type) {
      case 'done': {
        this.failures = 0
        this.networkFailures = 0
        const reached = result.applied + result.duplicate + result.rejected > 0
        if (reached) this.lastContactAt = this.now()
        this.setStatus({ state: 'idle', reachedServer: reached, ...(reached ? { connection: 'ok' as const } : {}) })
        return
      }
      case 'signedOut':
        this.failures = 0
        this.setStatus({ state: 'idle' })
        return
      case 'needsSignIn':
        this.lastContactAt = this.now()
        this.setStatus({ state: 'needsSignIn', error: 'UNAUTHENTICATED', reachedServer: true, connection: 'ok' })
        return
      case 'failed':
        this.lastContactAt = this.now()
        this.setStatus({ state: 'error', error: result.code, reachedServer: true, connection: 'ok' })
        return
      case 'retry':
        this.afterFailure(result, manual)
    }
  }

  private afterFailure(result: Extract<DrainResult, { type: 'retry' }>, manual: boolean): void {
    const now = this.now()
    const offline = result.reason === 'network'
    if (offline) this.networkFailures++
    else {
      this.networkFailures = 0
      this.lastContactAt = now
    }
    if (result.retryAfterMs !== undefined) this.notBefore = now + result.retryAfterMs
    // A tap that failed keeps the schedule it found; only automatic tries grow the backoff.
    const keepSchedule = manual && this.retryTimer !== undefined && this.retryAt !== undefined
    if (!keepSchedule) {
      this.failures++
      this.scheduleRetry(backoffDelay(this.failures, result.retryAfterMs, this.opts.random))
    } else if (this.notBefore > this.retryAt!) {
      this.scheduleRetry(this.notBefore - now)
    }
    const error = offline ? 'NETWORK' : result.reason === 'rateLimited' ? 'RATE_LIMITED' : 'SERVER'
    this.setStatus({
      state: offline ? 'offline' : 'waiting',
      nextAttemptAt: this.retryAt,
      error,
      reachedServer: !offline,
      connection: offline ? this.networkConnection(now) : 'busy',
    })
    if (offline) this.opts.onOffline?.()
  }

  private networkConnection(now: number): Connection {
    if (this.opts.isOnline && !this.opts.isOnline()) return 'noNetwork'
    const recent = this.lastContactAt !== undefined && now - this.lastContactAt < RECENT_CONTACT_MS
    return recent && this.networkFailures <= LOST_ANSWER_FAILURES ? 'answerLost' : 'unreachable'
  }

  private scheduleRetry(ms: number): void {
    this.clearRetry()
    if (this.stopped) return
    this.retryAt = this.now() + ms
    this.retryTimer = this.setTimeout(() => {
      this.retryTimer = undefined
      this.retryAt = undefined
      void this.start(false)
    }, ms)
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) this.clear(this.retryTimer)
    this.retryTimer = undefined
    this.retryAt = undefined
  }

  private setStatus(status: EngineStatus): void {
    this.status = status
    this.opts.onStatus?.(status)
  }

  private setTimeout(fn: () => void, ms: number): unknown {
    return (this.opts.setTimeout ?? ((f, t) => globalThis.setTimeout(f, t)))(fn, ms)
  }

  private clear(handle: unknown): void {
    ;(this.opts.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>)))(handle)
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }
}
