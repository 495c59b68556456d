/**
 * Question quality at scale (`npm run bench:items`, issue 17 §4): 200,000 quiz attempts of 10
 * questions drawn from a bank of 50, answered by members of varied ability, then one rebuild of
 * `item_stat` (refreshItemStats, the job the server runs off the request path) timed on SQLite
 * and on PostgreSQL. BENCH_ATTEMPTS changes the count; BENCH_DIALECTS=sqlite runs one.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type DbHandle } from '../server/db/connect.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { refreshItemStats } from '../server/features/itemStats/itemStats.repository.ts'
import { seedDemo } from '../server/seed/demo.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 200_000)
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]
const BANK = 50
const PER_ATTEMPT = 10
const CHUNK = 500

/** A small deterministic generator, so every run measures the same data. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function open(dialect: 'sqlite' | 'postgres'): Promise<{ handle: DbHandle; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pps-items-'))
    return { handle: connect({ url: join(dir, 'bench.sqlite') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const schema = await createSchema('bench_items')
  return { handle: connect({ url: PG_URL, pgSchema: schema }), cleanup: () => dropSchema(schema) }
}

async function generate(handle: DbHandle): Promise<void> {
  const db = handle.db
  await migrateToLatest(db)
  await seedDemo(db, { passwordCost: { N: 2 ** 10, r: 8, p: 1 } })
  const person = (await db.selectFrom('person').select('id').limit(1).executeTakeFirstOrThrow()).id
  // Question k is harder with k; every 10th is answered right by nearly everyone (to be flagged).
  const questions = Array.from({ length: BANK }, (_, k) => ({ id: `bench-q${k}`, type: 'single', options: ['甲', '乙', '丙', '丁'], answer: ['A'] }))
  await db.insertInto('quiz_snapshot').values({ quiz_id: 'bench-quiz', version: 1, selection: '{}', pass_mark: 60, questions: JSON.stringify(questions) }).execute()
  const rnd = random(17)
  for (let start = 0; start < ATTEMPTS; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, ATTEMPTS - start) }, (_, j) => {
      const ability = rnd()
      const asked = new Set<number>()
      while (asked.size < PER_ATTEMPT) asked.add(Math.floor(rnd() * BANK))
      const answers = [...asked].map((k) => {
        const p = k % 10 === 9 ? 0.97 : Math.min(0.98, Math.max(0.02, ability + 0.5 - k / BANK))
        return { questionId: `bench-q${k}`, answer: [rnd() < p ? 'A' : 'B'] }
      })
      const correct = answers.filter((a) => a.answer[0] === 'A').length
      const score = Math.round((100 * correct) / PER_ATTEMPT)
      return { id: `bench-${String(start + j).padStart(7, '0')}`, person_id: person, quiz_id: 'bench-quiz', quiz_version: 1, answers: JSON.stringify(answers), correct, total: PER_ATTEMPT, score, passed: score >= 60 ? 1 : 0, client_score: null, started_at: 0, device: 'bench', created_at: 0, received_at: 0 }
    })
    await db.insertInto('quiz_attempt').values(rows).execute()
  }
}

for (const dialect of DIALECTS) {
  const { handle, cleanup } = await open(dialect)
  try {
    const t0 = performance.now()
    await generate(handle)
    console.log(`${dialect}: ${ATTEMPTS.toLocaleString('en')} attempts generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const t1 = performance.now()
    const done = await refreshItemStats(handle.db)
    const ms = performance.now() - t1
    const flagged = await handle.db.selectFrom('item_stat').select((eb) => eb.fn.countAll<number>().as('n')).where('flagged', '=', 1).executeTakeFirstOrThrow()
    console.log(`${dialect}: question quality computed in ${ms.toFixed(0)} ms (${JSON.stringify(done)}, ${Number(flagged.n)} flagged)`)
  } finally {
    await handle.db.destroy()
    await cleanup()
  }
}
