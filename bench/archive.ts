/**
 * Training archive, plan and monthly report at scale (`npx tsx bench/archive.ts`, issue 8). On
 * PostgreSQL, in its own schema (dropped afterwards), set-based SQL generates the issue's
 * population: 1 district → 20 townships → 2,000 branches → 8,000 groups, 100,000 members,
 * 4,000,000 study events, 1,000,000 attendance marks (96,000 meetings), 200,000 quiz attempts,
 * 5,000 flowing records, 20,000 home visits and 10,016 plan items (district + every branch).
 * Then it times each page through the real Fastify app (inject): p50 / p95 over BENCH_RUNS.
 * Target: every page < 300 ms p95. BENCH_SCALE=0.01 tries the script with 1 % of the data.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { buildApp } from '../server/app.ts'
import { connect } from '../server/db/connect.ts'
import type { Database } from '../server/db/database.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { createSession } from '../server/features/auth/auth.repository.ts'

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const RUNS = Number(process.env.BENCH_RUNS ?? 30)
const SCALE = Number(process.env.BENCH_SCALE ?? 1)
const TOWNSHIPS = 20
const BRANCHES = 2000 * SCALE
const GROUPS = BRANCHES * 4
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

/** SQL for months.ts's monthStart: 00:00 China time on the 1st. */
const monthStartSql = (year: number, month: string) => `(extract(epoch from make_timestamptz(${year}, ${month}, 1, 0, 0, 0, 'Asia/Shanghai')) * 1000)::bigint`

/** Every row is made inside the database; records spread over the 200 days before `now`. */
async function generate(db: Kysely<Database>, now: number): Promise<void> {
  const q = (text: string) => sql.raw(text).execute(db)
  const synced = `'d', 1, 0, null, 'x'`
  const spread = (i: string) => `${now} - ((${i} * 7919) % 200) * ${DAY}`
  await step('org tree and members', async () => {
    await q(`insert into org_unit (id, parent_id, kind, name, path, created_at) values ('d', null, 'district', '基准县', '/d/', ${now})`)
    await q(`insert into org_unit select 't' || i, 'd', 'township', '镇' || i, '/d/t' || i || '/', ${now} from generate_series(0::bigint, ${TOWNSHIPS - 1}) i`)
    await q(`insert into org_unit select 'b' || i, 't' || (i % ${TOWNSHIPS}), 'branch', '村' || i, '/d/t' || (i % ${TOWNSHIPS}) || '/b' || i || '/', ${now} from generate_series(0::bigint, ${BRANCHES - 1}) i`)
    await q(`insert into org_unit select 'g' || i, 'b' || (i / 4), 'group', '组' || i, '/d/t' || ((i / 4) % ${TOWNSHIPS}) || '/b' || (i / 4) || '/g' || i || '/', ${now} from generate_series(0::bigint, ${GROUPS - 1}) i`)
    await q(`insert into person (id, phone, name, password_hash, org_unit_id, is_flowing, is_elderly, status, created_at)
      select 'p' || i, (13000000000 + i)::text, '党员' || lpad(i::text, 6, '0'), '', 'g' || (i % ${GROUPS}), 0, 0, 'active', ${now} from generate_series(0::bigint, ${MEMBERS - 1}) i`)
    await q(`insert into course (org_unit_id, version, published_at, deleted_at, content_hash, id, title, kind, category, description, cover, sort_order, body, media)
      select ${synced}, 'c' || i, '课' || i, 'theme', 'x', '', null, i, '', '[]' from generate_series(0::bigint, 9) i`)
    await q(`insert into lesson (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, title, sort_order, minutes, audio, body)
      select ${synced}, 'l' || c || '_' || l, 'c' || c, '课件', l, 5, null, '' from generate_series(0::bigint, 9) c, generate_series(0::bigint, 4) l`)
    await q(`insert into quiz (org_unit_id, version, published_at, deleted_at, content_hash, id, title, description, selection, time_limit_minutes, pass_mark, shuffle_options)
      select ${synced}, 'q' || i, '测试' || i, '', '{}', null, 60, 0 from generate_series(0::bigint, 1) i`)
  })
  const chunk = 500_000 * SCALE
  for (let from = 0; from < STUDY_EVENTS; from += chunk) {
    await step(`study events ${from.toLocaleString()}–${(from + chunk).toLocaleString()}`, () =>
      q(`insert into study_event (id, person_id, lesson_id, course_id, kind, seconds, created_at, received_at)
        select 'se' || i, 'p' || (i % ${MEMBERS}), 'l' || ((i / ${MEMBERS}) % 10) || '_' || ((i / ${MEMBERS * 10}) % 5), 'c' || ((i / ${MEMBERS}) % 10),
          case when i % 3 = 0 then 'completed' else 'studied' end, 60 + i % 600, ${spread('i')}, ${spread('i')} + 60000
        from generate_series(${from}::bigint, ${from + chunk - 1}) i`),
    )
  }
  await step('meetings and attendance marks', async () => {
    await q(`insert into meeting (id, org_unit_id, type, starts_at, ends_at, place, topic, lesson_id, created_by, checkin_code, device, created_at, received_at)
      select 'm' || i, 'g' || (i % ${GROUPS}), (array['group_meeting','theme_day','party_lecture','branch_assembly'])[1 + (i / ${GROUPS}) % 4],
        ${now - 365 * DAY} + (i / ${GROUPS}) * 30 * ${DAY}, ${now - 365 * DAY} + (i / ${GROUPS}) * 30 * ${DAY} + 7200000, '村部', '学习', null, 'p0', '123456', 'd', ${now}, ${now}
      from generate_series(0::bigint, ${MEETINGS - 1}) i`)
    await q(`insert into attendance_mark (record_id, meeting_id, org_unit_id, person_id, status, reason, marked_by, device, created_at, received_at)
      select 'r' || i, 'm' || (i % ${MEETINGS}), 'g' || (i % ${GROUPS}), 'p' || ((i % ${GROUPS}) + ${GROUPS} * ((i / ${MEETINGS}) % 12)),
        case when i % 10 < 8 then 'present' when i % 10 = 8 then 'leave' else 'absent' end, null, 'p0', 'd', ${now}, ${now}
      from generate_series(0::bigint, ${MARKS - 1}) i`)
  })
  await step('quiz attempts, flowing records, home visits, plans', async () => {
    await q(`insert into quiz_attempt (id, person_id, quiz_id, quiz_version, answers, correct, total, score, passed, client_score, started_at, device, created_at, received_at)
      select 'qa' || i, 'p' || (i % ${MEMBERS}), 'q' || (i / ${MEMBERS}), 1, '[]', 8, 10, 80, (i % 4 <> 0)::int, null, ${now}, 'd', ${spread('i')}, ${spread('i')}
      from generate_series(0::bigint, ${200_000 * SCALE - 1}) i`)
    await q(`insert into flowing_record (id, person_id, org_unit_id, held_on, place, organisation, content, photo, status, reason, reviewed_by, reviewed_at, device, created_at, received_at)
      select 'f' || i, 'p' || (i * 9), 'g' || ((i * 9) % ${GROUPS}), ${spread('i')}, '外地', '园区支部', '学习', null, case when i % 2 = 0 then 'confirmed' else 'pending' end,
        null, null, null, 'd', ${spread('i')}, ${spread('i')}
      from generate_series(0::bigint, ${5000 * SCALE - 1}) i`)
    await q(`insert into home_visit (id, org_unit_id, person_id, visited_by, visited_at, studied, note, lesson_id, photo, device, created_at, received_at)
      select 'hv' || i, 'g' || ((i * 5) % ${GROUPS}), 'p' || (i * 5), 'p0', ${spread('i')}, '党章', '', null, null, 'd', ${now}, ${now}
      from generate_series(0::bigint, ${20_000 * SCALE - 1}) i`)
    const year = new Date(now).getFullYear()
    await q(`insert into study_plan_item (id, org_unit_id, year, month, month_start, kind, ref_id, meeting_type, title, note, created_by, created_at, updated_at)
      select 'pd' || m, 'd', ${year}, m, ${monthStartSql(year, 'm')}, 'meeting', null, 'theme_day', '主题党日', '', 'p0', ${now}, ${now} from generate_series(1, 12) m`)
    await q(`insert into study_plan_item (id, org_unit_id, year, month, month_start, kind, ref_id, meeting_type, title, note, created_by, created_at, updated_at)
      select 'pb' || b || '_' || k, 'b' || b, ${year}, 1 + k * 2, ${monthStartSql(year, '1 + k * 2')},
        'meeting', null, 'party_lecture', '党课', '', 'p0', ${now}, ${now}
      from generate_series(0::bigint, ${BRANCHES - 1}) b, generate_series(0, 4) k`)
  })
  await step('analyze', () => q('analyze'))
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function main(): Promise<void> {
  const schema = `bench_archive_${randomBytes(4).toString('hex')}`
  await admin(`create schema ${schema}`)
  const handle = connect({ url: PG_URL, pgSchema: schema })
  const now = Date.now()
  const d = new Date(now + 8 * 3600_000)
  const thisMonth = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
  const year = d.getUTCFullYear()
  try {
    console.log(`PostgreSQL schema ${schema}`)
    await migrateToLatest(handle.db)
    await generate(handle.db, now)
    await handle.db.insertInto('role').values([
      { person_id: 'p0', org_unit_id: 'b0', role: 'secretary' },
      { person_id: 'p1', org_unit_id: 't0', role: 'supervisor' },
    ]).execute()
    const secretary = (await createSession(handle.db, 'p0', 'bench')).token
    const supervisor = (await createSession(handle.db, 'p1', 'bench')).token
    const member = `p${GROUPS}` // group g0 of branch b0
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
    console.log('| page | p50 ms | p95 ms |\n|---|---|---|')
    let worst = 0
    for (const p of pages) {
      const run = async () => {
        const res = await app.inject({ method: 'GET', url: p.url, headers: { authorization: `Bearer ${p.token}` } })
        if (res.statusCode !== 200) throw new Error(`${p.url}: ${res.statusCode} ${res.body}`)
      }
      for (let i = 0; i < 2; i++) await run()
      const ms: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now()
        await run()
        ms.push(performance.now() - t)
      }
      ms.sort((a, b) => a - b)
      const p95 = percentile(ms, 95)
      worst = Math.max(worst, p95)
      console.log(`| ${p.label} | ${percentile(ms, 50).toFixed(0)} | ${p95.toFixed(0)} |`)
    }
    await app.close()
    console.log(`\nWorst p95: ${worst.toFixed(0)} ms (target < 300 ms): ${worst < 300 ? 'met' : 'NOT met'}`)
  } finally {
    await handle.db.destroy()
    await admin(`drop schema ${schema} cascade`)
  }
}

await main()
