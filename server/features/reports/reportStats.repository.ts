/**
 * Report summaries: per person (`report_person_stats`, `report_course_progress`, migrations 009
 * and 014) and per unit (`report_unit_stats`, 014: sums over the members placed on the unit).
 *
 * They are recomputed from the source tables, never incremented: `refreshReportStats` for the
 * people an admin change touched, in that change's transaction, or that pushes and pulls marked
 * (folded in batches by reportFold.ts, off the sync path), then the sums of the units those
 * people are (or were) in. A recompute is idempotent, so a replayed batch,
 * an attendance correction or a second server instance cannot make the figures drift;
 * `refreshAllReportStats` rebuilds every row the same way (after a bulk import, or as a check).
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { chinaYear } from '../plans/months.ts'
import { refreshCoursesAndUnit } from './courseFigures.ts'

/** Marks that count as having taken part in a meeting. */
export const ATTENDED = ['present', 'remote', 'checked_in'] as const
const CHUNK = 2000
/** The push kinds that write attendance marks under their own record id. */
const MARKING_KINDS = new Set(['attendance_mark', 'checkin'])

type Scope = { people: string[] } | 'all'

/** Everything in these people's summaries, then their units' sums (and meetings, for `meetingUnits`). */
export async function refreshReportStats(db: Kysely<Database>, people: string[], now = Date.now(), meetingUnits: string[] = []): Promise<void> {
  await forPeople(
    db,
    people,
    async (chunk) => {
      await refreshActivityScope(db, { people: chunk })
      await refreshFreshnessScope(db, { people: chunk })
      return refreshCoursesAndUnit(db, chunk, now)
    },
    meetingUnits,
  )
}

/** Only placement and assigned courses: an assignment made or cancelled, a member moved or flagged. */
export async function refreshAssignedCourses(db: Kysely<Database>, people: string[], now = Date.now()): Promise<void> {
  await forPeople(db, people, (chunk) => refreshCoursesAndUnit(db, chunk, now))
}

/**
 * Runs a recompute chunk by chunk over locked summary rows, then recomputes the sums of every unit
 * the people were in before (read here) or are in after (the recompute's answer): a move changes two.
 */
async function forPeople(db: Kysely<Database>, people: string[], recompute: (chunk: string[]) => Promise<string[]>, meetingUnits: string[] = []): Promise<void> {
  // One global order for every lock a transaction takes (people, then units) rules out deadlocks.
  const sorted = [...new Set(people)].sort()
  const units = new Set<string>(meetingUnits)
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const chunk = sorted.slice(i, i + CHUNK)
    await lockRows(db, 'report_person_stats', chunk)
    for (const u of await unitsOf(db, chunk)) units.add(u)
    for (const u of await recompute(chunk)) units.add(u)
  }
  await refreshUnitStats(db, [...units].sort(), new Set(meetingUnits))
}

async function unitsOf(db: Kysely<Database>, people: string[]): Promise<string[]> {
  const rows = await db.selectFrom('report_person_stats').select('org_unit_id').distinct().where('person_id', 'in', people).where('org_unit_id', 'is not', null).execute()
  return rows.map((r) => r.org_unit_id!)
}

const KEY = { report_person_stats: 'person_id', report_unit_stats: 'org_unit_id' } as const

/**
 * Two transactions about one person or unit (two phones, a roll call and the member's own push)
 * must not both write a summary computed before the other committed. On PostgreSQL the summary
 * rows are created if missing and locked first, so the recompute that follows starts after the
 * other transaction committed and sees its rows (READ COMMITTED takes a fresh snapshot per
 * statement). SQLite has a single writer.
 */
async function lockRows(db: Kysely<Database>, table: keyof typeof KEY, ids: string[]): Promise<void> {
  if (!isPostgres(db as Kysely<unknown>) || ids.length === 0) return
  const key = sql.ref(KEY[table])
  await sql`insert into ${sql.table(table)} (${key}) values ${sql.join(ids.map((id) => sql`(${id})`))} on conflict do nothing`.execute(db)
  await sql`select ${key} from ${sql.table(table)} where ${key} in (${sql.join(ids)}) order by ${key} for update`.execute(db)
}

/** Each unit's sums over the summaries of the active members placed on it. */
const UNIT_SUMS: [column: string, sum: string][] = [
  ['members', 'count(*)'],
  ['never_studied', 'sum(case when last_study_at is null then 1 else 0 end)'],
  ['courses_assigned', 'sum(courses_assigned)'],
  ['courses_completed', 'sum(courses_completed)'],
  ['quizzes_attempted', 'sum(quizzes_attempted)'],
  ['quizzes_passed', 'sum(quizzes_passed)'],
  ['marks', 'sum(marks)'],
  ['attended', 'sum(attended)'],
  ['newest_sync_at', 'max(last_sync_at)'],
  ['oldest_sync_at', 'min(last_sync_at)'],
  ['never_synced', 'sum(case when last_sync_at is null then 1 else 0 end)'],
  ['devices_pending', 'sum(devices_pending)'],
  ['records_pending', 'sum(records_pending)'],
]

function unitSumsInsert(where: ReturnType<typeof sql>) {
  const columns = sql.raw(UNIT_SUMS.map(([c]) => c).join(', '))
  const sums = sql.raw(UNIT_SUMS.map(([, e]) => e).join(', '))
  return sql`insert into report_unit_stats (org_unit_id, ${columns})
    select org_unit_id, ${sums} from report_person_stats where ${where} group by org_unit_id`
}

async function refreshUnitStats(db: Kysely<Database>, units: string[], meetingUnits = new Set<string>()): Promise<void> {
  const update = sql.raw(UNIT_SUMS.map(([c]) => `${c} = excluded.${c}`).join(', '))
  const zero = sql.raw(UNIT_SUMS.map(([c]) => `${c} = ${c.endsWith('_at') ? 'null' : '0'}`).join(', '))
  for (let i = 0; i < units.length; i += CHUNK) {
    const chunk = units.slice(i, i + CHUNK)
    await lockRows(db, 'report_unit_stats', chunk)
    await sql`${unitSumsInsert(sql`org_unit_id in (${sql.join(chunk)})`)} on conflict (org_unit_id) do update set ${update}`.execute(db)
    // A unit whose last member left keeps a row of zeros.
    await sql`update report_unit_stats set ${zero} where org_unit_id in (${sql.join(chunk)})
      and not exists (select 1 from report_person_stats s where s.org_unit_id = report_unit_stats.org_unit_id)`.execute(db)
    // The unit's row is locked above, so this delete-and-insert cannot race another one.
    await refreshUnitMeetings(db, chunk.filter((u) => meetingUnits.has(u)))
  }
}

/** Meetings held per unit, China calendar year and type, from the meetings of these units. */
async function refreshUnitMeetings(db: Kysely<Database>, units: string[]): Promise<void> {
  if (units.length === 0) return
  const meetings = await db.selectFrom('meeting').select(['org_unit_id', 'type', 'starts_at']).where('org_unit_id', 'in', units).execute()
  const counts = new Map<string, { org_unit_id: string; year: number; type: string; meetings: number }>()
  for (const m of meetings) {
    const year = chinaYear(Number(m.starts_at))
    const key = `${m.org_unit_id} ${year} ${m.type}`
    const row = counts.get(key) ?? counts.set(key, { org_unit_id: m.org_unit_id, year, type: m.type, meetings: 0 }).get(key)!
    row.meetings++
  }
  await db.deleteFrom('report_unit_meetings').where('org_unit_id', 'in', units).execute()
  const rows = [...counts.values()]
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('report_unit_meetings').values(rows.slice(i, i + CHUNK)).execute()
}

/** Rebuilds every summary from the data (migration 014's backfill, the bench, a check). */
export async function refreshAllReportStats(db: Kysely<Database>, now = Date.now()): Promise<void> {
  await refreshActivityScope(db, 'all')
  await refreshFreshnessScope(db, 'all')
  let after = ''
  for (;;) {
    const page = await db.selectFrom('person').select('id').where('id', '>', after).orderBy('id').limit(CHUNK).execute()
    if (page.length === 0) break
    await refreshCoursesAndUnit(db, page.map((p) => p.id), now)
    after = page.at(-1)!.id
  }
  await db.deleteFrom('report_unit_stats').execute()
  await unitSumsInsert(sql`org_unit_id is not null`).execute(db)
  await db.deleteFrom('report_unit_meetings').execute()
  const units = await db.selectFrom('meeting').select('org_unit_id').distinct().orderBy('org_unit_id').execute()
  for (let i = 0; i < units.length; i += CHUNK) await refreshUnitMeetings(db, units.slice(i, i + CHUNK).map((u) => u.org_unit_id))
}

async function refreshActivityScope(db: Kysely<Database>, scope: Scope): Promise<void> {
  const only = scope === 'all' ? undefined : scope.people
  const study = db
    .selectFrom('study_event')
    .select((eb) => [
      'person_id',
      // The device clock says when the member studied, but never later than the server got it.
      eb.fn.max(sql<number>`case when created_at < received_at then created_at else received_at end`).as('last_study_at'),
      eb.fn.sum<number>('seconds').as('study_seconds'),
    ])
    .$if(!!only, (q) => q.where('person_id', 'in', only!))
    .groupBy('person_id')
    .as('s')
  const quiz = db
    .selectFrom('quiz_attempt')
    .select((eb) => [
      'person_id',
      eb.fn.count<number>('quiz_id').distinct().as('attempted'),
      eb.fn.count<number>(sql`case when passed = 1 then quiz_id end`).distinct().as('passed'),
    ])
    .$if(!!only, (q) => q.where('person_id', 'in', only!))
    .groupBy('person_id')
    .as('q')
  // Attendance marks are append-only: the newest mark per (meeting, person) is the current one.
  const marks = db
    .selectFrom('attendance_mark as am')
    .select((eb) => [
      'am.person_id',
      eb.fn.countAll<number>().as('marks'),
      eb.fn.sum<number>(eb.case().when('am.status', 'in', [...ATTENDED]).then(1).else(0).end()).as('attended'),
    ])
    .$if(!!only, (q) => q.where('am.person_id', 'in', only!))
    .where((eb) =>
      eb(
        'am.seq',
        '=',
        eb
          .selectFrom('attendance_mark as newer')
          .select((e) => e.fn.max('newer.seq').as('seq'))
          .whereRef('newer.meeting_id', '=', 'am.meeting_id')
          .whereRef('newer.person_id', '=', 'am.person_id'),
      ),
    )
    .groupBy('am.person_id')
    .as('m')

  // Callers run this inside their transaction (the push batch's), so summary and data commit together.
  await db
    .insertInto('report_person_stats')
    .columns(['person_id', 'last_study_at', 'study_seconds', 'quizzes_attempted', 'quizzes_passed', 'marks', 'attended'])
    .expression(
      db
        .selectFrom('person as p')
        .leftJoin(study, 's.person_id', 'p.id')
        .leftJoin(quiz, 'q.person_id', 'p.id')
        .leftJoin(marks, 'm.person_id', 'p.id')
        .select((eb) => [
          'p.id',
          's.last_study_at',
          eb.fn.coalesce('s.study_seconds', sql.lit(0)).as('study_seconds'),
          eb.fn.coalesce('q.attempted', sql.lit(0)).as('attempted'),
          eb.fn.coalesce('q.passed', sql.lit(0)).as('passed'),
          eb.fn.coalesce('m.marks', sql.lit(0)).as('marks'),
          eb.fn.coalesce('m.attended', sql.lit(0)).as('attended'),
        ])
        // SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT.
        .where(only ? sql<boolean>`p.id in (${sql.join(only)})` : sql<boolean>`1 = 1`),
    )
    .onConflict((oc) =>
      oc.column('person_id').doUpdateSet((eb) => ({
        last_study_at: eb.ref('excluded.last_study_at'),
        study_seconds: eb.ref('excluded.study_seconds'),
        quizzes_attempted: eb.ref('excluded.quizzes_attempted'),
        quizzes_passed: eb.ref('excluded.quizzes_passed'),
        marks: eb.ref('excluded.marks'),
        attended: eb.ref('excluded.attended'),
      })),
    )
    .execute()

  await db.deleteFrom('report_course_progress').$if(!!only, (q) => q.where('person_id', 'in', only!)).execute()
  await db
    .insertInto('report_course_progress')
    .columns(['person_id', 'course_id', 'lessons_completed'])
    .expression(
      db
        .selectFrom('study_event')
        .select((eb) => ['person_id', 'course_id', eb.fn.count<number>('lesson_id').distinct().as('n')])
        .where('kind', '=', 'completed')
        .$if(!!only, (q) => q.where('person_id', 'in', only!))
        .groupBy(['person_id', 'course_id']),
    )
    .execute()
}

async function refreshFreshnessScope(db: Kysely<Database>, scope: Scope): Promise<void> {
  const only = scope === 'all' ? undefined : scope.people
  const devices = db
    .selectFrom('sync_device')
    .select((eb) => [
      'person_id',
      eb.fn.max(sql<number>`case when coalesce(last_pull_at, 0) > coalesce(last_push_at, 0) then last_pull_at else last_push_at end`).as('last_sync_at'),
      eb.fn.sum<number>(eb.case().when('pending_count', '>', 0).then(1).else(0).end()).as('devices_pending'),
      eb.fn.sum<number>('pending_count').as('records_pending'),
    ])
    .$if(!!only, (q) => q.where('person_id', 'in', only!))
    .groupBy('person_id')
    .as('d')
  await db
    .insertInto('report_person_stats')
    .columns(['person_id', 'last_sync_at', 'devices_pending', 'records_pending'])
    .expression(
      db
        .selectFrom(devices)
        .select(['d.person_id', 'd.last_sync_at', 'd.devices_pending', 'd.records_pending'])
        .where(sql<boolean>`1 = 1`),
    )
    .onConflict((oc) =>
      oc.column('person_id').doUpdateSet((eb) => ({
        last_sync_at: eb.ref('excluded.last_sync_at'),
        devices_pending: eb.ref('excluded.devices_pending'),
        records_pending: eb.ref('excluded.records_pending'),
      })),
    )
    .execute()
}

/**
 * Inside a push batch's transaction: who the batch may have changed the figures of. The sender
 * (their study, quizzes, devices) and everyone an attendance mark made by the batch names (a roll
 * call, an accepted check-in, and the check-ins that waited for a meeting this batch created);
 * and the units where it created meetings. Marked here, folded later (reportFold.ts).
 */
export async function touchedByPush(
  db: Kysely<Database>,
  senderId: string,
  applied: { id: string; kind: string; payload: unknown }[],
): Promise<{ people: string[]; meetingUnits: string[] }> {
  const people = new Set([senderId])
  const created = applied.filter((r) => r.kind === 'meeting_create').map((r) => r.payload as { meetingId: string; orgUnitId: string })
  // Only roll calls, check-ins and meetings write attendance marks: other batches skip the reads.
  const marking = applied.filter((r) => MARKING_KINDS.has(r.kind)).map((r) => r.id)
  const meetings = created.map((m) => m.meetingId)
  for (const [column, values] of [['record_id', marking], ['meeting_id', meetings]] as const) {
    for (let i = 0; i < values.length; i += CHUNK) {
      const rows = await db.selectFrom('attendance_mark').select('person_id').distinct().where(column, 'in', values.slice(i, i + CHUNK)).execute()
      for (const r of rows) people.add(r.person_id)
    }
  }
  return { people: [...people], meetingUnits: [...new Set(created.map((m) => m.orgUnitId))] }
}
