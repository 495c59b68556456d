/**
 * The page's push scheduler: decides WHEN to run `drain` (triggers, debounce, backoff) and
 * reports a status. Framework-free and clock-injectable so tests can drive it; the Pinia store
 * wraps it for the screens.
 */
import { drain, type DrainResult, type PushEnv } from './pushCore.ts'
import type { LockFn } from './syncLock.ts'

export type EngineState = 'idle' | 'syncing' | 'waiting' | 'offline' | 'needsSignIn' | 'error'

export interface EngineStatus {
  state: EngineState
  /** When the next automatic attempt is due (device clock), while waiting. */
  nextAttemptAt?: number
  /** Stable code of the last failure, for an i18n message. */
  error?: string
  /** The last run got an answer from the server (so it is reachable, whatever the status). */
  reachedServer?: boolean
}

export interface EngineOptions {
  env: PushEnv
  lock: LockFn
  onStatus?: (status: EngineStatus) => void
  /** Called when a push stops for lack of network, e.g. to register Background Sync. */
  onOffline?: () => void
  random?: () => number
  now?: () => number
  debounceMs?: number
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

const BASE_DELAY_MS = 1_000
const MAX_DELAY_MS = 5 * 60_000

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits between half and all of
 * min(5 min, 1 s · 2^(n−1)), so a village of phones does not retry in step, and never less
 * than the server's Retry-After.
 */
export function backoffDelay(failures: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1))
  const jittered = ceiling / 2 + random() * (ceiling / 2)
  return Math.max(jittered, retryAfterMs ?? 0)
}

export class PushEngine {
  private failures = 0
  private running: Promise<DrainResult | undefined> | undefined
  private again = false
  private debounce: unknown
  private retryTimer: unknown
  private stopped = false
  status: EngineStatus = { state: 'idle' }

  constructor(private readonly opts: EngineOptions) {}

  /** A trigger fired (enqueue, online, visible…): sync soon, coalescing bursts into one run. */
  requestSync(delayMs = this.opts.debounceMs ?? 800): void {
    if (this.stopped || this.debounce !== undefined) return
    // The server asked us to wait (429/5xx, Retry-After): automatic triggers keep to that.
    if (this.retryTimer !== undefined && this.status.state === 'waiting') return
    this.debounce = this.setTimeout(() => {
      this.debounce = undefined
      void this.syncNow()
    }, delayMs)
  }

  /**
   * Runs a drain now (the "sync now" button). While one runs, further calls join it and one
   * more run follows, so a record enqueued mid-run is not left behind.
   */
  syncNow(): Promise<DrainResult | undefined> {
    if (this.stopped) return Promise.resolve(undefined)
    if (this.running) {
      this.again = true
      return this.running
    }
    this.clearRetry()
    this.running = this.loop().finally(() => {
      this.running = undefined
      // A trigger (e.g. `online`) that came while a push was failing must not wait out the
      // backoff that failure set: the network may be back now.
      if (this.again && !this.stopped) {
        this.again = false
        this.requestSync()
      }
    })
    return this.running
  }

  stop(): void {
    this.stopped = true
    this.clearRetry()
    if (this.debounce !== undefined) this.clear(this.debounce)
    this.debounce = undefined
  }

  private async loop(): Promise<DrainResult | undefined> {
    let result: DrainResult | undefined
    do {
      this.again = false
      this.setStatus({ state: 'syncing' })
      try {
        const locked = await this.opts.lock(() => drain(this.opts.env))
        if (!locked.ran) {
          // Another tab holds the lease and is pushing; look again shortly.
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
      this.afterDrain(result)
    } while (this.again && !this.stopped && result.type === 'done')
    return result
  }

  private afterDrain(result: DrainResult): void {
    switch (result.type) {
      case 'done':
        this.failures = 0
        this.setStatus({ state: 'idle', reachedServer: result.applied + result.duplicate + result.rejected > 0 })
        return
      case 'signedOut':
        this.failures = 0
        this.setStatus({ state: 'idle' })
        return
      case 'needsSignIn':
        this.setStatus({ state: 'needsSignIn', error: 'UNAUTHENTICATED', reachedServer: true })
        return
      case 'failed':
        this.setStatus({ state: 'error', error: result.code, reachedServer: true })
        return
      case 'retry': {
        this.failures++
        const delay = backoffDelay(this.failures, result.retryAfterMs, this.opts.random)
        const error = result.reason === 'network' ? 'NETWORK' : result.reason === 'rateLimited' ? 'RATE_LIMITED' : 'SERVER'
        const offline = result.reason === 'network'
        this.setStatus({ state: offline ? 'offline' : 'waiting', nextAttemptAt: this.now() + delay, error, reachedServer: !offline })
        if (offline) this.opts.onOffline?.()
        this.scheduleRetry(delay)
      }
    }
  }

  private scheduleRetry(ms: number): void {
    this.clearRetry()
    if (this.stopped) return
    this.retryTimer = this.setTimeout(() => {
      this.retryTimer = undefined
      void this.syncNow()
    }, ms)
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) this.clear(this.retryTimer)
    this.retryTimer = undefined
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
