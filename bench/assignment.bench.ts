/**
 * `npx tsx bench/assignment.bench.ts`: the pull's per-person assignment filter and the leaders'
 * list with many assignments elsewhere in the tree. Generates 5,000 extra branches holding
 * 100,000 assignments (a fifth of them for member groups) and 20,000 named-person rows, plus 200
 * assignments on the demo member's own branch; then times, through the real routes:
 *   - a first pull page (since=0, 500 rows) and an up-to-date pull (nothing new) for the member
 *   - the leaders' list of one of the member's branch assignments (36 people)
 * BENCH_DIALECT=sqlite runs it on SQLite; PostgreSQL is the default (tests/support/testDb.ts URL).
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import { nextVersions } from '../server/db/version.ts'
import { CONTENT_DIR, importContent } from '../server/features/content/import.ts'
import { buildTestApp, signIn } from '../tests/support/testApp.ts'
import { time } from './support/timing.ts'

const DIALECT = process.env.BENCH_DIALECT === 'sqlite' ? 'sqlite' : 'postgres'
const BRANCHES = 5_000
const PER_BRANCH = 20
const RUNS = 50
const GROUPS = ['flowing', 'elderly', 'new', 'committee'] as const

const ctx = await buildTestApp(DIALECT)
const db = ctx.testDb.db
try {
  await importContent(db, CONTENT_DIR)
  const { units, people, roles } = ctx.seed
  const district = units.find((u) => u.kind === 'district')!
  const member = people.find((p) => p.phone === '13800000001')!
  const ownBranch = units.find((u) => u.id === member.org_unit_id)!.parent_id!
  const secretary = roles.find((r) => r.role === 'secretary' && r.org_unit_id === ownBranch)!.person_id
  const now = Date.now()

  const t0 = performance.now()
  const branches = Array.from({ length: BRANCHES }, () => {
    const id = randomUUID()
    return { id, parent_id: district.id, kind: 'branch' as const, name: `支部${id.slice(0, 4)}`, path: `${district.path}${id}/`, created_at: now }
  })
  for (let i = 0; i < branches.length; i += 1000) await db.insertInto('org_unit').values(branches.slice(i, i + 1000)).execute()
  const row = (unit: string, i: number, version: number) => ({
    id: randomUUID(),
    course_id: null,
    quiz_id: 'quiz-constitution-basics',
    due_at: now + 86_400_000,
    target: i % 10 === 9 ? ('people' as const) : ('unit' as const),
    member_group: i % 5 === 1 ? GROUPS[i % 4]! : null,
    created_by: secretary,
    created_at: now,
    org_unit_id: unit,
    version,
    published_at: now,
    deleted_at: null,
    content_hash: '',
  })
  const elsewhere = branches.flatMap((b) => Array.from({ length: PER_BRANCH }, (_, i) => ({ unit: b.id, i })))
  const mine = Array.from({ length: 200 }, (_, i) => ({ unit: ownBranch, i }))
  const all = [...elsewhere, ...mine]
  const versions = await db.transaction().execute((trx) => nextVersions(trx, all.length))
  const rows = all.map((a, k) => row(a.unit, a.i, versions[k]!))
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('assignment').values(rows.slice(i, i + 1000)).execute()
  // Named people on the "people" rows elsewhere: anyone but the member.
  const others = people.filter((p) => p.id !== member.id)
  const named = rows.filter((r) => r.target === 'people' && r.org_unit_id !== ownBranch).flatMap((r, k) => [0, 1].map((j) => ({ assignment_id: r.id, person_id: others[(k * 2 + j) % others.length]!.id })))
  for (let i = 0; i < named.length; i += 1000) await db.insertInto('assignment_person').values(named.slice(i, i + 1000)).execute()
  const genMs = performance.now() - t0

  const auth = await signIn(ctx.app, member.phone)
  const secAuth = await signIn(ctx.app, '13800000004')
  const timeGet = async (url: string, headers: { authorization: string }) => {
    let payload = ''
    const { p50, p95 } = await time(async () => {
      const res = await ctx.app.inject({ method: 'GET', url, headers })
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
      payload = res.payload
    }, RUNS, 0)
    return { p50, p95, body: JSON.parse(payload) }
  }
  let cursor = ''
  let mineSeen = 0
  for (;;) {
    const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?since=${cursor}`, headers: auth })).json()
    mineSeen += page.changes.filter((c: { type: string }) => c.type === 'assignment').length
    cursor = page.cursor
    if (!page.more) break
  }
  const first = await timeGet('/api/v1/sync/pull?limit=500', auth)
  const upToDate = await timeGet(`/api/v1/sync/pull?since=${cursor}`, auth)
  const target = rows.find((r) => r.org_unit_id === ownBranch && r.target === 'unit' && r.member_group === null)!
  const list = await timeGet(`/api/v1/assignments/${target.id}/results?orgUnitId=${ownBranch}`, secAuth)

  if (process.env.BENCH_EXPLAIN) {
    // The pull's unit-target query for the member, as the planner runs it.
    const ids = units.find((u) => u.id === member.org_unit_id)!.path.split('/').filter(Boolean)
    for (const since of [0, Number(/^v(\d+)/.exec(cursor)![1])]) {
      const plan = await sql<Record<string, string>>`explain analyze select * from assignment where version > ${since} and org_unit_id in (${sql.join(ids)})
        and target = 'unit' and member_group is null order by version limit 501`.execute(db)
      console.log(`plan, since=${since}:\n  ${plan.rows.map((r) => Object.values(r)[0]).join('\n  ')}`)
    }
  }
  const f = (n: number) => n.toFixed(1).padStart(6)
  console.log(`assignment bench on ${DIALECT}: ${rows.length.toLocaleString()} assignments, ${named.length.toLocaleString()} named rows (generated in ${(genMs / 1000).toFixed(1)} s)`)
  console.log(`member's applicable assignments pulled: ${mineSeen} of ${rows.length.toLocaleString()}`)
  console.log(`first pull page (500 rows)      p50 ${f(first.p50)} ms  p95 ${f(first.p95)} ms`)
  console.log(`up-to-date pull (nothing new)   p50 ${f(upToDate.p50)} ms  p95 ${f(upToDate.p95)} ms`)
  console.log(`leaders' list, ${list.body.summary.targeted} people        p50 ${f(list.p50)} ms  p95 ${f(list.p95)} ms`)
} finally {
  await ctx.close()
}
