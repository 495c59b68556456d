/**
 * What stands between this phone and the server, in one place, so the offline banner, 我的 and
 * every screen that queues records say the same thing. `navigator.onLine` false means no network
 * at all; true proves nothing on village networks, so failed and answered requests (pushes, pulls,
 * any API call) refine it: the server out of reach, busy until a time, or its answer lost.
 */
import { computed, ref } from 'vue'

export type ConnectionKind = 'ok' | 'noNetwork' | 'unreachable' | 'busy' | 'answerLost'

export interface ConnectionState {
  kind: ConnectionKind
  /** While busy: when the next automatic try is due (device clock). */
  retryAt?: number
}

const browserOnline = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
const problem = ref<ConnectionState>()
const answeredListeners = new Set<() => void>()

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (browserOnline.value = true))
  window.addEventListener('offline', () => (browserOnline.value = false))
}

export function markReachable(): void {
  problem.value = undefined
}

export function markUnreachable(): void {
  problem.value = { kind: 'unreachable' }
}

/** The push engine's own finding (it knows about busy servers and lost answers). */
export function reportConnection(kind: ConnectionKind, retryAt?: number): void {
  problem.value = kind === 'ok' || kind === 'noNetwork' ? undefined : { kind, ...(retryAt !== undefined ? { retryAt } : {}) }
}

/** A request got a good answer: the server is back, so whatever waits for it can go now. */
export function noteServerAnswered(): void {
  markReachable()
  for (const listener of answeredListeners) listener()
}

export function onServerAnswered(listener: () => void): () => void {
  answeredListeners.add(listener)
  return () => answeredListeners.delete(listener)
}

export const connection = computed<ConnectionState>(() => (browserOnline.value ? (problem.value ?? { kind: 'ok' }) : { kind: 'noNetwork' }))

/** Nothing can be fetched now (downloads wait); a busy server or a lost answer still counts as online. */
export const isOffline = computed(() => connection.value.kind === 'noNetwork' || connection.value.kind === 'unreachable')
