/**
 * `npx tsx bench/reflections.ts`: the reflections feed and the monthly counts against a big table.
 * BENCH_REFLECTIONS reflections (default 200,000) go into the demo's groups, half of them into the
 * member's own group (a worst case: one group with 100,000 reflections), with likes and replies;
 * then the first feed page, a deep page (cursor) and a district's monthly counts are timed through
 * the real routes. BENCH_DIALECT=postgres runs it on PostgreSQL.
 */
import { performance } from 'node:perf_hooks'
import { DEMO_LOGINS } from '../server/seed/demo.ts'
import { buildTestApp, signIn } from '../tests/support/testApp.ts'
import { time } from './support/timing.ts'

const N = Number(process.env.BENCH_REFLECTIONS ?? 200_000)
const DIALECT = process.env.BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
const RUNS = 200

const ctx = await buildTestApp(DIALECT)
const db = ctx.testDb.db
const member = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
const groups = ctx.seed.units.filter((u) => u.kind === 'group')
const authorsOf = new Map(groups.map((g) => [g.id, ctx.seed.people.filter((p) => p.org_unit_id === g.id)]))
const district = ctx.seed.units.find((u) => u.kind === 'district')!
const now = Date.now()

const t = performance.now()
for (let i = 0; i < N; i += 1000) {
  const rows = Array.from({ length: Math.min(1000, N - i) }, (_, k) => {
    const n = i + k
    const group = n % 2 === 0 ? groups.find((g) => g.id === member.org_unit_id)! : groups[n % groups.length]!
    const authors = authorsOf.get(group.id)!
    return {
      id: crypto.randomUUID(),
      person_id: authors[n % authors.length]!.id!,
      org_unit_id: group.id,
      branch_id: group.parent_id!,
      lesson_id: null,
      course_id: null,
      text: `学习心得第 ${n} 篇：按时参加组织生活，把学到的用到为群众办实事上。`,
      photo_count: 0,
      status: n % 50 === 0 ? ('excellent' as const) : n % 97 === 0 ? ('hidden' as const) : ('normal' as const),
      reason: n % 97 === 0 ? '离题' : null,
      reviewed_by: null,
      reviewed_at: null,
      device: 'bench',
      created_at: now - (N - n) * 60_000,
      received_at: now - (N - n) * 60_000,
    }
  })
  await db.insertInto('reflection').values(rows).execute()
  const liked = rows.filter((_, k) => k % 3 === 0)
  if (liked.length) await db.insertInto('reflection_like').values(liked.map((r) => ({ reflection_id: r.id, person_id: member.id!, received_at: now }))).execute()
  const replied = rows.filter((_, k) => k % 4 === 0)
  if (replied.length) {
    await db
      .insertInto('reflection_reply')
      .values(replied.map((r) => ({ id: crypto.randomUUID(), reflection_id: r.id, person_id: member.id!, text: '说得好', device: 'bench', created_at: now, received_at: now })))
      .execute()
  }
}
console.log(`inserted ${N} reflections (+${Math.ceil(N / 3)} likes, ${Math.ceil(N / 4)} replies) on ${DIALECT} in ${((performance.now() - t) / 1000).toFixed(1)} s`)

const headers = await signIn(ctx.app, member.phone)
async function timePage(label: string, url: () => string, target: number): Promise<void> {
  const { p50, p95 } = await time(async () => {
    const res = await ctx.app.inject({ method: 'GET', url: url(), headers })
    if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`)
  }, RUNS, 0)
  console.log(`${label}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p95 < ${target} ms)`)
}

// Same-run baseline: an authenticated route that reads one row, so machine load can be told apart.
await timePage('baseline GET /api/v1/auth/me', () => '/api/v1/auth/me', 50)
await timePage('group feed, first page (20)', () => '/api/v1/reflections?limit=20', 50)
const deep = (await ctx.app.inject({ method: 'GET', url: '/api/v1/reflections?limit=50', headers })).json().next as string
const cursor = `${Number(deep.split('_')[0]) - 30 * 24 * 3600_000}_${deep.split('_')[1]}`
await timePage('group feed, page a month back (cursor)', () => `/api/v1/reflections?limit=20&cursor=${encodeURIComponent(cursor)}`, 50)
await timePage('branch excellent list', () => '/api/v1/reflections?scope=excellent&limit=20', 50)
const secretaryHeaders = await signIn(ctx.app, DEMO_LOGINS[5].phone)
const month = new Date(now + 8 * 3600_000).toISOString().slice(0, 7)
const start = performance.now()
const stats = await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/stats?orgUnitId=${district.id}&month=${month}`, headers: secretaryHeaders })
console.log(`district monthly counts (${stats.json().items.length} groups): ${(performance.now() - start).toFixed(1)} ms`)
await ctx.close()
