/**
 * The client half of bench/push.ts, run in its own process so client and server do not share
 * one event loop: the PWA's real outbox and push core on Node with fake-indexeddb.
 * Usage: node --import tsx bench/push-drain.client.ts <serverUrl> <token> <personId> <count>
 * Prints one JSON line: enqueue latency percentiles (ms) and the drain time (s).
 */
import 'fake-indexeddb/auto'
import { PocketDb } from '@/db/db.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { drain } from '@/features/sync/pushCore.ts'
import { percentile } from './support/timing.ts'

const [url, token, personId, countArg] = (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2)
const count = Number(countArg ?? 10_000)

const db = new PocketDb(`bench-${Date.now()}`)
await db.meta.put({
  key: 'session',
  value: {
    token: token!,
    sessionId: 'bench',
    expiresAt: Date.now() + 1e9,
    profile: { id: personId!, name: 'bench', phone: '', orgUnitId: '', orgUnitName: '', isFlowing: false, isElderly: false, roles: [] },
  },
})

const times: number[] = []
for (let i = 0; i < count; i++) {
  const t0 = performance.now()
  // As a feature does it: the local effect and its outbox record in one transaction.
  await db.transaction('rw', [db.meta, db.outbox], async () => {
    await db.meta.put({ key: 'bench-last', value: i })
    await enqueue(db, 'study_event', { lessonId: `lesson-${i % 50}`, courseId: 'course-1', kind: 'studied', seconds: 60 })
  })
  times.push(performance.now() - t0)
}
times.sort((a, b) => a - b)

let requests = 0
const started = performance.now()
const result = await drain({
  db,
  baseUrl: url,
  fetch: (u, init) => {
    requests++
    return fetch(u, init)
  },
})
const drainSeconds = (performance.now() - started) / 1000
const left = await db.outbox.count()
await db.delete()
if (result.type !== 'done' || result.applied !== count || left !== 0) {
  throw new Error(`drain ended ${JSON.stringify(result)} with ${left} left`)
}
console.log(JSON.stringify({ p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), drainSeconds, requests }))
