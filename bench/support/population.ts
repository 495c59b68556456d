/**
 * Issue 8's population on PostgreSQL, made by set-based SQL (generate_series) inside the
 * database, so no row crosses the wire: 1 district → 20 townships → 2,000 branches → 8,000
 * groups, 100,000 members, 10 courses × 5 lessons, 4,000,000 study events (over the 200 days
 * before `now`), 96,000 meetings with 1,000,000 attendance marks, 200,000 quiz attempts.
 * Everything scales with `scale` (0.01 = a quick trial with 1 % of the data) except the townships.
 * Member i is in group i % groups, so group g holds members g, g + groups, g + 2 × groups, …
 */
import { sql, type Kysely } from 'kysely'
import { ensurePartitions } from '../../server/db/partitions.ts'
import type { Database } from '../../server/db/database.ts'

export const DAY = 86_400_000
export const TOWNSHIPS = 20

export function populationSize(scale: number) {
  const branches = 2000 * scale
  const groups = branches * 4
  return {
    scale,
    branches,
    groups,
    members: 100_000 * scale,
    studyEvents: 4_000_000 * scale,
    meetings: groups * 12,
    marks: 1_000_000 * scale,
    quizAttempts: 200_000 * scale,
  }
}
export type PopulationSize = ReturnType<typeof populationSize>

/** Runs one SQL text as it is. */
export type RawSql = (text: string) => Promise<unknown>

/** A bench's own rows, made after the shared ones (before `analyze`). */
export interface ExtraStep {
  label: string
  run(q: RawSql): Promise<unknown>
}

/** Prints `label … 1.2 s` around `run`. */
export async function step(label: string, run: () => Promise<unknown>): Promise<void> {
  const t = performance.now()
  process.stdout.write(`  ${label} … `)
  await run()
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`)
}

/**
 * A UUIDv7-shaped id made at `ms` (SQL expressions), unique by `i`: records carry the ids phones
 * make, so on PostgreSQL they fall into the monthly partitions as real ones do (server/db/partitions.ts).
 */
export function v7Sql(ms: string, i: string): string {
  const hex = `lpad(to_hex((${ms})::bigint), 12, '0')`
  return `substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-7000-8000-' || lpad(to_hex(${i}), 12, '0')`
}

export async function generatePopulation(db: Kysely<Database>, size: PopulationSize, now: number, extras: ExtraStep[] = []): Promise<void> {
  const q: RawSql = (text) => sql.raw(text).execute(db)
  const { branches, groups, members, studyEvents, meetings, marks } = size
  const n = (count: number) => count.toLocaleString('en')
  const perBranch = groups / branches
  await step(`org tree (1 + ${TOWNSHIPS} + ${n(branches)} + ${n(groups)} units)`, async () => {
    await q(`insert into org_unit (id, parent_id, kind, name, path, created_at) values ('d', null, 'district', '基准县', '/d/', ${now})`)
    await q(`insert into org_unit select 't' || i, 'd', 'township', '镇' || i, '/d/t' || i || '/', ${now} from generate_series(0::bigint, ${TOWNSHIPS - 1}) i`)
    await q(`insert into org_unit select 'b' || i, 't' || (i % ${TOWNSHIPS}), 'branch', '村' || i, '/d/t' || (i % ${TOWNSHIPS}) || '/b' || i || '/', ${now}
      from generate_series(0::bigint, ${branches - 1}) i`)
    await q(`insert into org_unit select 'g' || i, 'b' || (i / ${perBranch}), 'group', '组' || i,
      '/d/t' || ((i / ${perBranch}) % ${TOWNSHIPS}) || '/b' || (i / ${perBranch}) || '/g' || i || '/', ${now}
      from generate_series(0::bigint, ${groups - 1}) i`)
  })
  await step(`${n(members)} members (every 9th flowing, every 11th elderly)`, () =>
    q(`insert into person (id, phone, name, password_hash, org_unit_id, is_flowing, is_elderly, status, created_at)
      select 'p' || i, (13000000000 + i)::text, '党员' || lpad(i::text, 6, '0'), '', 'g' || (i % ${groups}), (i % 9 = 0)::int, (i % 11 = 0)::int, 'active', ${now}
      from generate_series(0::bigint, ${members - 1}) i`),
  )
  await step('10 courses × 5 lessons at the district', async () => {
    const synced = `1, 0, null, 'x'`
    await q(`insert into course (org_unit_id, version, published_at, deleted_at, content_hash, id, title, kind, category, description, cover, sort_order, body, media)
      select 'd', ${synced}, 'c' || i, '课' || i, 'theme', 'x', '', null, i, '', '[]' from generate_series(0::bigint, 9) i`)
    await q(`insert into lesson (org_unit_id, version, published_at, deleted_at, content_hash, id, course_id, title, sort_order, minutes, audio, body)
      select 'd', ${synced}, 'l' || c || '_' || l, 'c' || c, '课', l, 5, null, '' from generate_series(0::bigint, 9) c, generate_series(0::bigint, 4) l`)
  })
  // The server makes partitions ahead; a year of history needs its months made first.
  await step('monthly partitions for the past year', () => ensurePartitions(db, now - 366 * DAY, now))
  const chunk = 500_000 * size.scale
  for (let from = 0; from < studyEvents; from += chunk) {
    await step(`study events ${n(from)}–${n(from + chunk)}`, () =>
      q(`insert into study_event (id, person_id, lesson_id, course_id, kind, seconds, created_at, received_at)
        select ${v7Sql(`${now} - ((i * 7919) % 200) * ${DAY}`, 'i')}, 'p' || (i % ${members}), 'l' || ((i / ${members * 5}) % 10) || '_' || ((i / ${members}) % 5), 'c' || ((i / ${members * 5}) % 10),
          case when i % 7 < 5 then 'completed' else 'studied' end, 60 + i % 600,
          ${now} - ((i * 7919) % 200) * ${DAY}, ${now} - ((i * 7919) % 200) * ${DAY} + 60000
        from generate_series(${from}::bigint, ${from + chunk - 1}) i`),
    )
  }
  const t0 = now - 365 * DAY
  await step(`${n(meetings)} meetings, one a month per group`, () =>
    q(`insert into meeting (id, org_unit_id, type, starts_at, ends_at, place, topic, lesson_id, created_by, checkin_code, device, created_at, received_at)
      select 'm' || i, 'g' || (i % ${groups}), (array['group_meeting','theme_day','party_lecture','branch_assembly'])[1 + (i / ${groups}) % 4],
        ${t0} + (i / ${groups}) * 30 * ${DAY}, ${t0} + (i / ${groups}) * 30 * ${DAY} + 7200000, '村部', '学习', null, 'p' || (i % ${groups}), '123456', 'd', ${now}, ${now}
      from generate_series(0::bigint, ${meetings - 1}) i`),
  )
  for (let from = 0; from < marks; from += chunk) {
    await step(`attendance marks ${n(from)}–${n(from + chunk)}`, () =>
      q(`insert into attendance_mark (record_id, meeting_id, org_unit_id, person_id, status, reason, marked_by, device, created_at, received_at)
        select ${v7Sql(`${t0} + ((i % ${meetings}) / ${groups}) * 30 * ${DAY}`, 'i')}, 'm' || (i % ${meetings}), 'g' || (i % ${groups}), 'p' || ((i % ${groups}) + ${groups} * ((i / ${meetings}) % 12)),
          case when i % 10 < 8 then 'present' when i % 10 = 8 then 'leave' else 'absent' end, null, 'p0', 'd', ${now}, ${now}
        from generate_series(${from}::bigint, ${from + chunk - 1}) i`),
    )
  }
  await step(`${n(size.quizAttempts)} quiz attempts on quizzes q0 and q1`, () =>
    q(`insert into quiz_attempt (id, person_id, quiz_id, quiz_version, answers, correct, total, score, passed, client_score, started_at, device, created_at, received_at)
      select ${v7Sql(`${now} - (i % 300) * ${DAY}`, 'i')}, 'p' || (i % ${members}), 'q' || (i / ${members}), 1, '[]', 8, 10, 80, (i % 4 <> 0)::int, null, ${now}, 'd', ${now}, ${now}
      from generate_series(0::bigint, ${size.quizAttempts - 1}) i`),
  )
  for (const extra of extras) await step(extra.label, () => extra.run(q))
  // Vacuum too: a table filled over months has been through autovacuum, which marks pages
  // all-visible so index-only scans skip the table; a bulk load a second ago has not.
  await step('vacuum analyze', () => q('vacuum analyze'))
}
