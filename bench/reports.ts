/**
 * Report figures at scale (`npm run bench:reports`, issue 8). On PostgreSQL, in its own schema
 * (dropped afterwards), it generates with set-based SQL (generate_series):
 *   1 district → 20 townships → 2,000 branches → 8,000 groups, 100,000 members,
 *   4,000,000 study events + 1,000,000 attendance marks (96,000 meetings), 200,000 quiz attempts,
 *   80,000 devices, 10 courses × 5 lessons assigned at the district and by 200 branches;
 * builds the per-person summaries once (the refresh job), then times every report page through
 * the real Fastify app (inject) for a unit at each level: p50 / p95 over BENCH_RUNS requests.
 * Baseline in the same run: the same per-child figures computed naively from the event tables
 * (what a report would cost without the summaries). Target: every page < 300 ms p95.
 */
import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { sql, type Kysely } from 'kysely'
import { buildApp } from '../server/app.ts'
import { connect } from '../server/db/connect.ts'
import type { Database } from '../server/db/database.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { createSession } from '../server/features/auth/auth.repository.ts'
import { refreshAllReportStats } from '../server/features/reports/reportStats.repository.ts'
import { timePages, type Page } from './support/pages.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'
import { DAY, generatePopulation, populationSize, step, type PopulationSize } from './support/population.ts'
import { time } from './support/timing.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 30)
/** BENCH_SCALE=0.01 makes a quick trial of the whole script with 1 % of the data. */
const SIZE = populationSize(Number(process.env.BENCH_SCALE ?? 1))

/** On top of the shared population: assignments, pending flowing records, devices. */
function generate(db: Kysely<Database>, size: PopulationSize, now: number): Promise<void> {
  const { branches, groups, members } = size
  return generatePopulation(db, size, now, [
    {
      label: 'courses assigned at the district (3) and by every 10th branch',
      run: async (q) => {
        const synced = `1, 0, null, 'x'`
        await q(`insert into assignment (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, due_at)
          select 'd', ${synced}, 'ad' || i, 'c' || i, null from generate_series(0::bigint, 2) i`)
        await q(`insert into assignment (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, due_at)
          select 'b' || (i * 10), ${synced}, 'ab' || i, 'c' || (3 + i % 7), null from generate_series(0::bigint, ${branches / 10 - 1}) i`)
      },
    },
    {
      label: `${(5000 * size.scale).toLocaleString('en')} pending flowing records, ${(members * 0.8).toLocaleString('en')} devices`,
      run: async (q) => {
        await q(`insert into flowing_record (id, person_id, org_unit_id, held_on, place, organisation, content, photo, status, reason, reviewed_by, reviewed_at, device, created_at, received_at)
          select 'f' || i, 'p' || (i * 9), 'g' || ((i * 9) % ${groups}), ${now}, '外地', '园区支部', '学习', null, 'pending', null, null, null, 'd', ${now}, ${now}
          from generate_series(0::bigint, ${5000 * size.scale - 1}) i`)
        await q(`insert into sync_device (person_id, device_id, last_push_at, last_pull_at, outbox_count, pending_count)
          select 'p' || i, 'dev' || i, ${now} - (i % 30) * ${DAY}, ${now} - (i % 20) * ${DAY}, case when i % 20 = 0 then 7 else 0 end, case when i % 20 = 0 then 5 else 0 end
          from generate_series(0::bigint, ${members * 0.8 - 1}) i`)
      },
    },
  ])
}

/** The baseline: per-child members behind, quiz and attendance figures straight from the events. */
function naiveChildFigures(db: Kysely<Database>, unitId: string, behindBefore: number) {
  return sql`
    select c.id, count(*) as members,
      sum(case when s.last_study is null or s.last_study < ${behindBefore} then 1 else 0 end) as behind,
      sum(q.attempted) as attempted, sum(q.passed) as passed, sum(m.marks) as marks, sum(m.attended) as attended
    from org_unit c join org_unit o on o.path >= c.path and o.path < c.path || '~' join person p on p.org_unit_id = o.id
    left join (select person_id, max(created_at) as last_study from study_event group by person_id) s on s.person_id = p.id
    left join (select person_id, count(distinct quiz_id) as attempted, count(distinct case when passed = 1 then quiz_id end) as passed
               from quiz_attempt group by person_id) q on q.person_id = p.id
    left join (select am.person_id, count(*) as marks, sum(case when am.status in ('present','remote','checked_in') then 1 else 0 end) as attended
               from attendance_mark am where am.seq = (select max(n.seq) from attendance_mark n where n.meeting_id = am.meeting_id and n.person_id = am.person_id)
               group by am.person_id) m on m.person_id = p.id
    where c.parent_id = ${unitId} group by c.id`.execute(db)
}

/**
 * The write side of the summaries: a course assigned to (then taken off) the whole district
 * recomputes the assigned-course figures of all its members and the sums of all its units, in the
 * request's transaction.
 */
async function timeDistrictAssignment(app: Awaited<ReturnType<typeof buildApp>>, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}` }
  const id = randomUUID()
  const body = { id, contentKind: 'course', contentId: 'c9', orgUnitId: 'd', dueAt: Date.now() + 30 * DAY }
  console.log(`\nWrite side: a course assigned to the whole district (${SIZE.members.toLocaleString('en')} members) and cancelled again:`)
  await step('assign', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assignments', headers, payload: body })
    if (res.statusCode !== 201) throw new Error(`assign: ${res.statusCode} ${res.body}`)
  })
  await step('cancel', async () => {
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/assignments/${id}`, headers })
    if (res.statusCode !== 204) throw new Error(`cancel: ${res.statusCode} ${res.body}`)
  })
}

async function main(): Promise<void> {
  // BENCH_SCHEMA=<a schema an earlier run kept with BENCH_KEEP=1> measures again without generating.
  const reuse = process.env.BENCH_SCHEMA
  const schema = reuse ?? (await createSchema('bench_reports'))
  const handle = connect({ url: PG_URL, pgSchema: schema })
  const now = Date.now()
  try {
    console.log(`PostgreSQL schema ${schema}${reuse ? ' (reused: data generated by an earlier run)' : ''}`)
    // On a kept schema this applies only migrations newer than its data (and their backfills).
    await step('migrations', () => migrateToLatest(handle.db))
    if (reuse) await step('analyze', () => sql`analyze`.execute(handle.db))
    if (!reuse) {
      console.log('Generating data')
      await generate(handle.db, SIZE, now)
      await step('refresh job: per-person summaries from all 5.2 M records', () => refreshAllReportStats(handle.db))
      await step('analyze', () => sql`analyze`.execute(handle.db))
    }

    // Viewers: a district admin, a township supervisor, a branch secretary, a group leader.
    const viewers = [
      { role: 'admin', unit: 'd', label: 'district (100,000 members, 20 townships)' },
      { role: 'supervisor', unit: 't0', label: 'township (5,000 members, 100 branches)' },
      { role: 'secretary', unit: 'b0', label: 'branch (~50 members, 4 groups)' },
      { role: 'group_leader', unit: 'g0', label: 'group (13 members)' },
    ] as const
    const pages: Page[] = []
    for (const [i, v] of viewers.entries()) {
      await handle.db
        .insertInto('role')
        .values({ person_id: `p${i}`, org_unit_id: v.unit, role: v.role })
        .$if(!!reuse, (q) => q.onConflict((oc) => oc.doNothing()))
        .execute()
      const { token } = await createSession(handle.db, `p${i}`, 'bench')
      pages.push({ label: `${v.label}: report`, url: `/api/v1/reports/units/${v.unit}`, token })
      pages.push({ label: `${v.label}: sorted by members behind`, url: `/api/v1/reports/units/${v.unit}?sort=behind`, token })
      pages.push({ label: `${v.label}: members page 1`, url: `/api/v1/reports/units/${v.unit}/members?limit=50`, token })
      pages.push({ label: `${v.label}: members behind`, url: `/api/v1/reports/units/${v.unit}/members?limit=50&behindOnly=true`, token })
    }

    const app = await buildApp({ handle })
    await app.ready()
    console.log(`\nReport pages through the Fastify app (inject), ${RUNS} runs each after 2 warm-ups; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores:`)
    const worst = await timePages(app, pages, RUNS)
    await timeDistrictAssignment(app, pages[0]!.token)
    await app.close()

    console.log('\nBaseline, same run: per-child behind/quiz/attendance figures computed from the event tables (no summaries), 3 runs, no warm-up:')
    console.log('| unit | p50 ms | max ms |\n|---|---|---|')
    for (const v of viewers.slice(0, 3)) {
      const { p50, p95 } = await time(() => naiveChildFigures(handle.db, v.unit, now - 28 * DAY), 3, 0)
      console.log(`| ${v.label} | ${p50.toFixed(0)} | ${p95.toFixed(0)} |`)
    }
    console.log(`\nWorst report page p95: ${worst.toFixed(0)} ms (target < 300 ms): ${worst < 300 ? 'met' : 'NOT met'}`)
  } finally {
    await handle.db.destroy()
    if (process.env.BENCH_KEEP === '1') console.log(`kept schema ${schema}`)
    else await dropSchema(schema)
  }
}

await main()
