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
import { randomBytes } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { buildApp } from '../server/app.ts'
import { connect } from '../server/db/connect.ts'
import type { Database } from '../server/db/database.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { createSession } from '../server/features/auth/auth.repository.ts'
import { refreshAllReportStats } from '../server/features/reports/reportStats.repository.ts'

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const RUNS = Number(process.env.BENCH_RUNS ?? 30)
/** BENCH_SCALE=0.01 makes a quick trial of the whole script with 1 % of the data. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1)
const TOWNSHIPS = 20
const BRANCHES = 2000 * SCALE
const GROUPS_PER_BRANCH = 4
const GROUPS = BRANCHES * GROUPS_PER_BRANCH
const MEMBERS = 100_000 * SCALE
const STUDY_EVENTS = 4_000_000 * SCALE
const MARKS = 1_000_000 * SCALE
const MEETINGS = GROUPS * 12
const DAY = 86_400_000

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  await client.query(text).finally(() => client.end())
}

async function step(label: string, run: () => Promise<unknown>): Promise<void> {
  const t = performance.now()
  process.stdout.write(`  ${label} … `)
  await run()
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`)
}

/** Every row is made by SQL inside the database: no row crosses the wire. */
async function generate(db: Kysely<Database>, now: number): Promise<void> {
  const q = (text: string) => sql.raw(text).execute(db)
  const t0 = now - 365 * DAY
  await step('org tree (1 + 20 + 2,000 + 8,000 units)', async () => {
    await q(`insert into org_unit (id, parent_id, kind, name, path, created_at) values ('d', null, 'district', '基准县', '/d/', ${now})`)
    await q(`insert into org_unit select 't' || i, 'd', 'township', '镇' || i, '/d/t' || i || '/', ${now} from generate_series(0::bigint, ${TOWNSHIPS - 1}) i`)
    await q(`insert into org_unit select 'b' || i, 't' || (i % ${TOWNSHIPS}), 'branch', '村' || i, '/d/t' || (i % ${TOWNSHIPS}) || '/b' || i || '/', ${now}
      from generate_series(0::bigint, ${BRANCHES - 1}) i`)
    await q(`insert into org_unit select 'g' || i, 'b' || (i / ${GROUPS_PER_BRANCH}), 'group', '组' || i,
      '/d/t' || ((i / ${GROUPS_PER_BRANCH}) % ${TOWNSHIPS}) || '/b' || (i / ${GROUPS_PER_BRANCH}) || '/g' || i || '/', ${now}
      from generate_series(0::bigint, ${GROUPS - 1}) i`)
  })
  // Member i is in group i % 8,000, so group g holds members g, g + 8000, g + 16000, …
  await step('100,000 members', () =>
    q(`insert into person (id, phone, name, password_hash, org_unit_id, is_flowing, is_elderly, status, created_at)
      select 'p' || i, (13000000000 + i)::text, '党员' || lpad(i::text, 6, '0'), '', 'g' || (i % ${GROUPS}), (i % 9 = 0)::int, (i % 11 = 0)::int, 'active', ${now}
      from generate_series(0::bigint, ${MEMBERS - 1}) i`),
  )
  await step('10 courses × 5 lessons; assigned at the district (3) and by 200 branches', async () => {
    const synced = `1, 0, null, 'x'`
    await q(`insert into course (org_unit_id, version, published_at, deleted_at, content_hash, id, title, kind, category, description, cover, sort_order, body, media)
      select 'd', ${synced}, 'c' || i, '课' || i, 'theme', 'x', '', null, i, '', '[]' from generate_series(0::bigint, 9) i`)
    await q(`insert into lesson (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, title, sort_order, minutes, audio, body)
      select 'd', ${synced}, 'l' || c || '_' || l, 'c' || c, '课', l, 5, null, '' from generate_series(0::bigint, 9) c, generate_series(0::bigint, 4) l`)
    await q(`insert into assignment (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, due_at)
      select 'd', ${synced}, 'ad' || i, 'c' || i, null from generate_series(0::bigint, 2) i`)
    await q(`insert into assignment (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, due_at)
      select 'b' || (i * 10), ${synced}, 'ab' || i, 'c' || (3 + i % 7), null from generate_series(0::bigint, ${BRANCHES / 10 - 1}) i`)
  })
  const chunk = 500_000 * SCALE
  for (let from = 0; from < STUDY_EVENTS; from += chunk) {
    await step(`study events ${from.toLocaleString()}–${(from + chunk).toLocaleString()}`, () =>
      q(`insert into study_event (id, person_id, lesson_id, course_id, kind, seconds, created_at, received_at)
        select 'se' || i, 'p' || (i % ${MEMBERS}), 'l' || ((i / ${MEMBERS * 5}) % 10) || '_' || ((i / ${MEMBERS}) % 5), 'c' || ((i / ${MEMBERS * 5}) % 10),
          case when i % 7 < 5 then 'completed' else 'studied' end, 60 + i % 600,
          ${now} - ((i * 7919) % 200) * ${DAY}, ${now} - ((i * 7919) % 200) * ${DAY} + 60000
        from generate_series(${from}::bigint, ${from + chunk - 1}) i`),
    )
  }
  await step(`${MEETINGS.toLocaleString()} meetings`, () =>
    q(`insert into meeting (id, org_unit_id, type, starts_at, ends_at, place, topic, lesson_id, created_by, checkin_code, device, created_at, received_at)
      select 'm' || i, 'g' || (i % ${GROUPS}), (array['group_meeting','theme_day','party_lecture','branch_assembly'])[1 + (i / ${GROUPS}) % 4],
        ${t0} + (i / ${GROUPS}) * 30 * ${DAY}, ${t0} + (i / ${GROUPS}) * 30 * ${DAY} + 7200000, '村部', '学习', null, 'p' || (i % ${GROUPS}), '123456', 'd', ${now}, ${now}
      from generate_series(0::bigint, ${MEETINGS - 1}) i`),
  )
  for (let from = 0; from < MARKS; from += chunk) {
    await step(`attendance marks ${from.toLocaleString()}–${(from + chunk).toLocaleString()}`, () =>
      q(`insert into attendance_mark (record_id, meeting_id, org_unit_id, person_id, status, reason, marked_by, device, created_at, received_at)
        select 'r' || i, 'm' || (i % ${MEETINGS}), 'g' || (i % ${GROUPS}), 'p' || ((i % ${GROUPS}) + ${GROUPS} * ((i / ${MEETINGS}) % 12)),
          case when i % 10 < 8 then 'present' when i % 10 = 8 then 'leave' else 'absent' end, null, 'p0', 'd', ${now}, ${now}
        from generate_series(${from}::bigint, ${from + chunk - 1}) i`),
    )
  }
  await step('200,000 quiz attempts, 5,000 pending flowing records, 80,000 devices', async () => {
    await q(`insert into quiz_attempt (id, person_id, quiz_id, quiz_version, answers, correct, total, score, passed, client_score, started_at, device, created_at, received_at)
      select 'qa' || i, 'p' || (i % ${MEMBERS}), 'q' || (i / ${MEMBERS}), 1, '[]', 8, 10, 80, (i % 4 <> 0)::int, null, ${now}, 'd', ${now}, ${now}
      from generate_series(0::bigint, ${200_000 * SCALE - 1}) i`)
    await q(`insert into flowing_record (id, person_id, org_unit_id, held_on, place, organisation, content, photo, status, reason, reviewed_by, reviewed_at, device, created_at, received_at)
      select 'f' || i, 'p' || (i * 9), 'g' || ((i * 9) % ${GROUPS}), ${now}, '外地', '园区支部', '学习', null, 'pending', null, null, null, 'd', ${now}, ${now}
      from generate_series(0::bigint, ${5000 * SCALE - 1}) i`)
    await q(`insert into sync_device (person_id, device_id, last_push_at, last_pull_at, outbox_count, pending_count)
      select 'p' || i, 'dev' || i, ${now} - (i % 30) * ${DAY}, ${now} - (i % 20) * ${DAY}, case when i % 20 = 0 then 7 else 0 end, case when i % 20 = 0 then 5 else 0 end
      from generate_series(0::bigint, ${MEMBERS * 0.8 - 1}) i`)
  })
  await step('analyze', () => q('analyze'))
}

interface Page {
  label: string
  url: string
  token: string
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function time(run: () => Promise<unknown>, runs: number, warmUps = 2): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmUps; i++) await run()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await run()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) }
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

async function main(): Promise<void> {
  // BENCH_SCHEMA=<a schema an earlier run kept with BENCH_KEEP=1> measures again without generating.
  const reuse = process.env.BENCH_SCHEMA
  const schema = reuse ?? `bench_reports_${randomBytes(4).toString('hex')}`
  if (!reuse) await admin(`create schema ${schema}`)
  const handle = connect({ url: PG_URL, pgSchema: schema })
  const now = Date.now()
  try {
    console.log(`PostgreSQL schema ${schema}${reuse ? ' (reused: data generated by an earlier run)' : ''}`)
    if (!reuse) {
      await migrateToLatest(handle.db)
      console.log('Generating data')
      await generate(handle.db, now)
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
    console.log('| page | p50 ms | p95 ms |\n|---|---|---|')
    let worst = 0
    for (const p of pages) {
      const { p50, p95 } = await time(async () => {
        const res = await app.inject({ method: 'GET', url: p.url, headers: { authorization: `Bearer ${p.token}` } })
        if (res.statusCode !== 200) throw new Error(`${p.url}: ${res.statusCode} ${res.body}`)
      }, RUNS)
      worst = Math.max(worst, p95)
      console.log(`| ${p.label} | ${p50.toFixed(0)} | ${p95.toFixed(0)} |`)
    }
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
    else await admin(`drop schema ${schema} cascade`)
  }
}

await main()
