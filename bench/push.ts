/**
 * Push-sync figures, all in one run (`npm run bench:push`):
 *   1. server ingest through the HTTP API, records/s, on SQLite and on PostgreSQL
 *   2. 10,000 queued records draining from a client (the real push core on Node + fake-indexeddb,
 *      in its own process: bench/push-drain.client.ts) to a local server over HTTP
 *   3. `enqueue` latency on the client (p50 / p95 / p99)
 * Targets (issue 5): ingest ≥ 5,000 records/s on SQLite; drain 10,000 ≤ 10 s; enqueue p95 < 5 ms.
 * Set BENCH_PG=0 to skip PostgreSQL.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../server/app.ts'
import { connect, type DbHandle } from '../server/db/connect.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../server/seed/demo.ts'
import { uuidv7 } from '../src/features/sync/uuidv7.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'

const CHEAP = { N: 2 ** 10, r: 8, p: 1 }

interface Served {
  url: string
  token: string
  profileId: string
  handle: DbHandle
  close(): Promise<void>
}

async function serve(dialect: 'sqlite' | 'postgres'): Promise<Served> {
  let handle: DbHandle
  let cleanup: () => Promise<void>
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pps-bench-'))
    handle = connect({ url: join(dir, 'bench.sqlite') })
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    const schema = await createSchema('bench')
    handle = connect({ url: PG_URL, pgSchema: schema })
    cleanup = () => dropSchema(schema)
  }
  await migrateToLatest(handle.db)
  await seedDemo(handle.db, { passwordCost: CHEAP })
  const app = await buildApp({ handle })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const login = await fetch(`${address}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: DEMO_LOGINS[0].phone, password: DEMO_PASSWORD, deviceName: 'bench' }),
  }).then((r) => r.json() as Promise<{ token: string; profile: { id: string } }>)
  return {
    url: address,
    token: login.token,
    profileId: login.profile.id,
    handle,
    async close() {
      await app.close()
      await handle.db.destroy()
      await cleanup()
    },
  }
}

function studyRecord(i: number) {
  return {
    id: uuidv7(),
    kind: 'study_event',
    payload: { lessonId: `lesson-${i % 50}`, courseId: `course-${i % 7}`, kind: 'studied', seconds: 30 + (i % 600) },
    createdAt: Date.now(),
    deviceId: 'bench-device',
  }
}

/** Server ingest: pre-built 500-record batches, `concurrency` requests in flight. */
async function ingest(dialect: 'sqlite' | 'postgres', total: number, concurrency: number): Promise<number> {
  const s = await serve(dialect)
  try {
    const bodies: string[] = []
    for (let i = 0; i < total; i += 500) {
      const records = Array.from({ length: Math.min(500, total - i) }, (_, k) => studyRecord(i + k))
      bodies.push(JSON.stringify({ deviceId: 'bench-device', outboxCount: total - i, records }))
    }
    const post = async (body: string) => {
      const res = await fetch(`${s.url}/api/v1/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body,
      })
      if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
    }
    await post(JSON.stringify({ deviceId: 'warm', outboxCount: 1, records: [studyRecord(0)] })) // warm-up
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) await post(bodies[next++]!)
      }),
    )
    const seconds = (performance.now() - started) / 1000
    const stored = await s.handle.db.selectFrom('study_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    if (Number(stored.n) !== total + 1) throw new Error(`expected ${total + 1} rows, found ${stored.n}`)
    return total / seconds
  } finally {
    await s.close()
  }
}

/** The client bench in its own process, against a local SQLite server over HTTP. */
async function client(count: number): Promise<{ p50: number; p95: number; p99: number; drainSeconds: number; requests: number }> {
  const s = await serve('sqlite')
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/push-drain.client.ts', s.url, s.token, s.profileId, String(count)], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    if (code !== 0) throw new Error(`client bench exited with ${code}`)
    return JSON.parse(out.trim().split('\n').at(-1)!)
  } finally {
    await s.close()
  }
}

const rows: Array<[string, string, string]> = []
const total = Number(process.env.BENCH_RECORDS ?? 50_000)
for (const concurrency of [1, 4]) {
  const rate = await ingest('sqlite', total, concurrency)
  rows.push([`ingest SQLite, ${total} records, ${concurrency} in flight`, `${Math.round(rate).toLocaleString('en')} records/s`, '≥ 5,000/s'])
}
if (process.env.BENCH_PG !== '0') {
  for (const concurrency of [1, 4]) {
    const rate = await ingest('postgres', total, concurrency)
    rows.push([`ingest PostgreSQL, ${total} records, ${concurrency} in flight`, `${Math.round(rate).toLocaleString('en')} records/s`, '—'])
  }
}
const c = await client(10_000)
rows.push([`drain 10,000 queued records, client process → server (${c.requests} requests)`, `${c.drainSeconds.toFixed(2)} s`, '≤ 10 s'])
rows.push(['enqueue (write + outbox record, one transaction) p50 / p95 / p99', `${c.p50.toFixed(2)} / ${c.p95.toFixed(2)} / ${c.p99.toFixed(2)} ms`, 'p95 < 5 ms'])

console.log(`\nPush sync benchmark — Node ${process.version}, ${new Date().toISOString()}\n`)
console.log('| measurement | result | target |\n|---|---|---|')
for (const [what, result, target] of rows) console.log(`| ${what} | ${result} | ${target} |`)
