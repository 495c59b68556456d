/**
 * Training archive, plan and monthly report at scale (`npx tsx bench/archive.ts`, issue 8). On
 * PostgreSQL, in its own schema (dropped afterwards), set-based SQL generates the issue's
 * population: 1 district → 20 townships → 2,000 branches → 8,000 groups, 100,000 members,
 * 4,000,000 study events, 1,000,000 attendance marks (96,000 meetings), 200,000 quiz attempts,
 * 5,000 flowing records, 20,000 home visits and 10,016 plan items (district + every branch).
 * Then it times each page through the real Fastify app (inject): p50 / p95 over BENCH_RUNS.
 * Target: every page < 300 ms p95. BENCH_SCALE=0.01 tries the script with 1 % of the data.
 */
import type { Kysely } from 'kysely'
import { buildApp } from '../server/app.ts'
import { connect } from '../server/db/connect.ts'
import type { Database } from '../server/db/database.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { createSession } from '../server/features/auth/auth.repository.ts'
import { timePages } from './support/pages.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'
import { DAY, generatePopulation, populationSize, type PopulationSize } from './support/population.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 30)
const SIZE = populationSize(Number(process.env.BENCH_SCALE ?? 1))

/** SQL for months.ts's monthStart: 00:00 China time on the 1st. */
const monthStartSql = (year: number, month: string) => `(extract(epoch from make_timestamptz(${year}, ${month}, 1, 0, 0, 0, 'Asia/Shanghai')) * 1000)::bigint`

/** On top of the shared population: the quizzes, flowing records, home visits and plan items, spread over the 200 days before `now`. */
function generate(db: Kysely<Database>, size: PopulationSize, now: number): Promise<void> {
  const { branches, groups } = size
  const spread = (i: string) => `${now} - ((${i} * 7919) % 200) * ${DAY}`
  return generatePopulation(db, size, now, [
    {
      label: 'quizzes, flowing records, home visits, plans',
      run: async (q) => {
        await q(`insert into quiz (org_unit_id, version, published_at, deleted_at, content_hash, id, title, description, selection, time_limit_minutes, pass_mark, shuffle_options)
          select 'd', 1, 0, null, 'x', 'q' || i, '测试' || i, '', '{}', null, 60, 0 from generate_series(0::bigint, 1) i`)
        await q(`insert into flowing_record (id, person_id, org_unit_id, held_on, place, organisation, content, photo, status, reason, reviewed_by, reviewed_at, device, created_at, received_at)
          select 'f' || i, 'p' || (i * 9), 'g' || ((i * 9) % ${groups}), ${spread('i')}, '外地', '园区支部', '学习', null, case when i % 2 = 0 then 'confirmed' else 'pending' end,
            null, null, null, 'd', ${spread('i')}, ${spread('i')}
          from generate_series(0::bigint, ${5000 * size.scale - 1}) i`)
        await q(`insert into home_visit (id, org_unit_id, person_id, visited_by, visited_at, studied, note, lesson_id, photo, device, created_at, received_at)
          select 'hv' || i, 'g' || ((i * 5) % ${groups}), 'p' || (i * 5), 'p0', ${spread('i')}, '党章', '', null, null, 'd', ${now}, ${now}
          from generate_series(0::bigint, ${20_000 * size.scale - 1}) i`)
        const year = new Date(now).getFullYear()
        await q(`insert into study_plan_item (id, org_unit_id, year, month, month_start, kind, ref_id, meeting_type, title, note, created_by, created_at, updated_at)
          select 'pd' || m, 'd', ${year}, m, ${monthStartSql(year, 'm')}, 'meeting', null, 'theme_day', '主题党日', '', 'p0', ${now}, ${now} from generate_series(1, 12) m`)
        await q(`insert into study_plan_item (id, org_unit_id, year, month, month_start, kind, ref_id, meeting_type, title, note, created_by, created_at, updated_at)
          select 'pb' || b || '_' || k, 'b' || b, ${year}, 1 + k * 2, ${monthStartSql(year, '1 + k * 2')},
            'meeting', null, 'party_lecture', '党课', '', 'p0', ${now}, ${now}
          from generate_series(0::bigint, ${branches - 1}) b, generate_series(0, 4) k`)
      },
    },
  ])
}

async function main(): Promise<void> {
  const schema = await createSchema('bench_archive')
  const handle = connect({ url: PG_URL, pgSchema: schema })
  const now = Date.now()
  const d = new Date(now + 8 * 3600_000)
  const thisMonth = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
  const year = d.getUTCFullYear()
  try {
    console.log(`PostgreSQL schema ${schema}`)
    await migrateToLatest(handle.db)
    await generate(handle.db, SIZE, now)
    await handle.db.insertInto('role').values([
      { person_id: 'p0', org_unit_id: 'b0', role: 'secretary' },
      { person_id: 'p1', org_unit_id: 't0', role: 'supervisor' },
    ]).execute()
    const secretary = (await createSession(handle.db, 'p0', 'bench')).token
    const supervisor = (await createSession(handle.db, 'p1', 'bench')).token
    const member = `p${SIZE.groups}` // group g0 of branch b0
    const pages = [
      { label: 'archive summary (one member, one year)', url: `/api/v1/archive/${member}?year=${year}`, token: secretary },
      { label: 'archive lessons page', url: `/api/v1/archive/${member}/lessons?year=${year}`, token: secretary },
      { label: 'archive meetings page', url: `/api/v1/archive/${member}/meetings?year=${year}`, token: secretary },
      { label: 'archive CSV export', url: `/api/v1/archive/${member}/export.csv?year=${year}`, token: secretary },
      { label: 'member search in a township (5,000 members)', url: `/api/v1/archive-people?orgUnitId=t0&q=${encodeURIComponent('党员00')}`, token: supervisor },
      { label: 'branch plan for the year (inherited + own)', url: `/api/v1/plans?orgUnitId=b0&year=${year}`, token: secretary },
      { label: 'monthly report, branch (~50 members)', url: `/api/v1/monthly-reports/b0?month=${thisMonth}`, token: secretary },
      { label: 'monthly report, township (5,000 members)', url: `/api/v1/monthly-reports/t0?month=${thisMonth}`, token: supervisor },
    ]
    const app = await buildApp({ handle })
    await app.ready()
    console.log(`\nPages through the Fastify app (inject), ${RUNS} runs each after 2 warm-ups:`)
    const worst = await timePages(app, pages, RUNS)
    await app.close()
    console.log(`\nWorst p95: ${worst.toFixed(0)} ms (target < 300 ms): ${worst < 300 ? 'met' : 'NOT met'}`)
  } finally {
    await handle.db.destroy()
    await dropSchema(schema)
  }
}

await main()
