/**
 * Report summaries as an asynchronous projection (issue 14). Pushes and pulls only *mark* who
 * changed (`markReports`, in their own transaction, one cheap insert); a worker folds the marks
 * into the summaries (`foldReportMarks`): many pushes of a morning peak, often by the same people
 * and groups, become one recompute per person and unit per batch, and no sync request waits on
 * report rows locked by another.
 *
 * Exactly one folder runs at a time over a database, however many server instances share it: on
 * PostgreSQL the fold's transaction first takes a transaction-scoped advisory lock (keyed by the
 * schema, so test schemas in one database do not block each other) and a second instance that
 * does not get it skips this round; on SQLite only one process folds (with WORKERS=n, worker 0:
 * server/cluster.ts), and its single connection runs one transaction at a time. Marks are deleted by id in the same transaction that writes the
 * recomputed summaries, so a fold that dies (a crash, a lost connection) rolls back whole and the
 * marks wait for the next one; a mark added while a fold recomputes keeps its own id and is folded
 * next time. A recompute reads the source tables, so folding a mark twice is harmless.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { setReportLag } from '../../shared/metrics.ts'
import { refreshReportStats } from './reportStats.repository.ts'

/**
 * Marks folded per transaction. Small enough that a fold holds SQLite's one connection for tens of
 * milliseconds, not seconds; large enough that a peak's pushes coalesce.
 */
export const FOLD_BATCH = 1000
const DELETE_CHUNK = 2000

/** In the caller's transaction: these people's figures (and these units' meetings) may have changed. */
export async function markReports(db: Kysely<Database>, people: string[], meetingUnits: string[], now: number): Promise<void> {
  const rows = [
    ...[...new Set(people)].map((person_id) => ({ person_id, org_unit_id: null, marked_at: now })),
    ...[...new Set(meetingUnits)].map((org_unit_id) => ({ person_id: null, org_unit_id, marked_at: now })),
  ]
  if (rows.length > 0) await db.insertInto('report_mark').values(rows).execute()
}

/**
 * Folds up to `limit` of the oldest marks. Returns how many it folded, or 'busy' when another
 * instance is folding (PostgreSQL).
 */
export async function foldReportMarks(db: Kysely<Database>, limit = FOLD_BATCH, now = Date.now()): Promise<number | 'busy'> {
  return db.transaction().execute(async (trx) => {
    if (isPostgres(db as Kysely<unknown>)) {
      const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext('report_mark')) as ok`.execute(trx)
      if (!lock.rows[0]?.ok) return 'busy'
    }
    const marks = await trx.selectFrom('report_mark').select(['id', 'person_id', 'org_unit_id']).orderBy('marked_at').orderBy('id').limit(limit).execute()
    if (marks.length === 0) return 0
    const people = marks.flatMap((m) => (m.person_id === null ? [] : [m.person_id]))
    const units = marks.flatMap((m) => (m.org_unit_id === null ? [] : [m.org_unit_id]))
    await refreshReportStats(trx, [...new Set(people)], now, [...new Set(units)])
    for (let i = 0; i < marks.length; i += DELETE_CHUNK) {
      await trx.deleteFrom('report_mark').where('id', 'in', marks.slice(i, i + DELETE_CHUNK).map((m) => m.id)).execute()
    }
    return marks.length
  })
}

/**
 * Folds until no mark is left, waiting while another instance folds: tests call it to see the
 * figures a push leads to, without waiting for the worker.
 */
export async function foldAllReportMarks(db: Kysely<Database>): Promise<void> {
  for (;;) {
    const folded = await foldReportMarks(db)
    if (folded === 0) return
    if (folded === 'busy') await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * How current the summaries are: the time of the oldest mark not yet folded (every change before
 * it is in), or `now` when none waits.
 */
export async function reportsAsOf(db: Kysely<Database>, now: number): Promise<number> {
  const row = await db.selectFrom('report_mark').select('marked_at').orderBy('marked_at').limit(1).executeTakeFirst()
  return row ? Math.min(Number(row.marked_at), now) : now
}

export interface ReportFolder {
  /** Stops the timer and waits for a fold in progress to end. */
  stop(): Promise<void>
}

/**
 * The worker inside each server process: every `intervalMs` it folds, batch after batch while
 * full batches come back (a backlog drains at once), then sleeps again. An error (the database
 * away) is logged and the next tick tries again; the marks are still there.
 */
export function startReportFolder(db: Kysely<Database>, opts: { intervalMs: number; onError: (err: unknown) => void }): ReportFolder {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const tick = async () => {
    try {
      while (!stopped && (await foldReportMarks(db)) === FOLD_BATCH);
      // What the reports miss now, for /api/metrics (one index probe on report_mark).
      const now = Date.now()
      setReportLag((now - (await reportsAsOf(db, now))) / 1000)
    } catch (err) {
      if (!stopped) opts.onError(err)
    }
    if (!stopped) schedule()
  }
  // Unref'd: the server's socket keeps the process alive, the folder alone never does.
  const schedule = () => (timer = setTimeout(() => (running = tick()), opts.intervalMs).unref())
  schedule()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
