/**
 * Per-person report summaries (`report_person_stats`, `report_course_progress`, migration 009).
 *
 * They are recomputed from the source tables, never incremented: `refreshActivity` for the people
 * a push batch touched, in that batch's transaction, and `refreshFreshness` whenever a device
 * pushes or pulls. A recompute is idempotent, so a replayed batch, an attendance correction or a
 * second server instance cannot make the figures drift; `refreshAllReportStats` rebuilds every row
 * the same way (after a bulk import, or to check the summaries against the data).
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'

/** Marks that count as having taken part in a meeting. */
export const ATTENDED = ['present', 'remote', 'checked_in'] as const
const CHUNK = 500

type Scope = { people: string[] } | 'all'

export async function refreshActivity(db: Kysely<Database>, people: string[]): Promise<void> {
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK)
    await lockSummaries(db, chunk)
    await refreshActivityScope(db, { people: chunk })
  }
}

export async function refreshFreshness(db: Kysely<Database>, people: string[]): Promise<void> {
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK)
    await lockSummaries(db, chunk)
    await refreshFreshnessScope(db, { people: chunk })
  }
}

/**
 * Two batches about one person (two phones, or a roll call and the member's own push) must not
 * both write a summary computed before the other committed. On PostgreSQL the summary rows are
 * locked first, so the recompute that follows starts after the other batch committed and sees
 * its rows (READ COMMITTED takes a fresh snapshot per statement). SQLite has a single writer.
 */
async function lockSummaries(db: Kysely<Database>, people: string[]): Promise<void> {
  if (!isPostgres(db as Kysely<unknown>)) return
  await db
    .insertInto('report_person_stats')
    .values(people.map((person_id) => ({ person_id })))
    .onConflict((oc) => oc.column('person_id').doNothing())
    .execute()
  await db.selectFrom('report_person_stats').select('person_id').where('person_id', 'in', people).orderBy('person_id').forUpdate().execute()
}

/** Rebuilds every summary from the data (migration 009's backfill, the bench, a check). */
export async function refreshAllReportStats(db: Kysely<Database>): Promise<void> {
  await refreshActivityScope(db, 'all')
  await refreshFreshnessScope(db, 'all')
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
 * Inside a push batch's transaction: the sender's summary (their study, quizzes, devices) and that
 * of everyone an attendance mark made by the batch names: a roll call, an accepted check-in, and
 * the check-ins that waited for a meeting this batch created.
 */
export async function refreshReportStatsAfterPush(
  db: Kysely<Database>,
  senderId: string,
  applied: { id: string; kind: string; payload: unknown }[],
): Promise<void> {
  const people = new Set([senderId])
  const ids = applied.map((r) => r.id)
  const meetings = applied.filter((r) => r.kind === 'meeting_create').map((r) => (r.payload as { meetingId: string }).meetingId)
  for (const [column, values] of [['record_id', ids], ['meeting_id', meetings]] as const) {
    for (let i = 0; i < values.length; i += CHUNK) {
      const rows = await db.selectFrom('attendance_mark').select('person_id').distinct().where(column, 'in', values.slice(i, i + CHUNK)).execute()
      for (const r of rows) people.add(r.person_id)
    }
  }
  await refreshActivity(db, [...people])
  await refreshFreshness(db, [senderId])
}

/** Write a pull down at most this often per device: pulls come in pages and every few minutes. */
const PULL_TOUCH_MS = 60_000

/** A device pulled: it is in contact even when its outbox is empty (and so never pushes). */
export async function recordPull(db: Kysely<Database>, personId: string, deviceId: string, now: number): Promise<void> {
  const row = await db
    .selectFrom('sync_device')
    .select('last_pull_at')
    .where('person_id', '=', personId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst()
  if (row?.last_pull_at && now - row.last_pull_at < PULL_TOUCH_MS) return
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sync_device')
      .values({ person_id: personId, device_id: deviceId, last_pull_at: now, last_push_at: null })
      .onConflict((oc) => oc.columns(['person_id', 'device_id']).doUpdateSet({ last_pull_at: now }))
      .execute()
    await refreshFreshness(trx, [personId])
  })
}
