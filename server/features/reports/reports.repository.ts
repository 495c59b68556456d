/**
 * Report queries. Figures are added up per child unit of the unit asked for (the drill-down
 * table) and for the members placed directly on the unit itself; the unit's own figures are their
 * sum, so the subtree is read once. Each unit in it contributes one `report_unit_stats` row (the
 * sums over its members, kept current with their summaries, see reportStats.repository.ts), so a
 * district report reads its ~10,000 units, not its members or their events.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { MeetingType } from '../../../src/protocol/attendance.ts'
import type { ChildReport, ChildSort, Freshness, MemberReport, ReportFigures, ReportUnit } from '../../../src/protocol/reports.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { yearRange } from '../plans/months.ts'
import { plannedMeetingsByType } from '../plans/plans.repository.ts'

const WEEK = 7 * 24 * 60 * 60 * 1000

export interface ReportWindow {
  /** members whose newest study is before this are behind */
  behindBefore: number
  /** meetings held in this China calendar year count */
  year: number
}

export const behindBefore = (now: number, weeks: number) => now - weeks * WEEK

/** Rows are added up per bucket: each child unit, or the unit itself for members placed on it. */
type Mode = 'children' | 'direct'

function scope(unit: OrgUnitRow, mode: Mode): { from: RawBuilder<unknown>; where: RawBuilder<unknown>; bucket: RawBuilder<unknown> } {
  return mode === 'children'
    ? {
        from: sql`org_unit c join org_unit o on o.path >= c.path and o.path < c.path || '~'`,
        // The subtree's own range again, as constants: without it PostgreSQL cannot estimate how
        // many units the range join yields and reads a whole table for a branch of 5 units.
        where: sql`c.parent_id = ${unit.id} and o.path >= ${unit.path} and o.path < ${subtreeEnd(unit.path)}`,
        bucket: sql`c.id`,
      }
    : { from: sql`org_unit o`, where: sql`o.id = ${unit.id}`, bucket: sql`o.id` }
}

interface Bucket {
  figures: ReportFigures
  freshness: Freshness
}

const emptyBucket = (): Bucket => ({
  figures: { members: 0, assigned: 0, completed: 0, quizzesAttempted: 0, quizzesPassed: 0, marks: 0, attended: 0, behind: 0, meetings: 0, flowingPending: 0 },
  freshness: { newestSyncAt: null, oldestSyncAt: null, neverSynced: 0, devicesPending: 0, recordsPending: 0 },
})

const num = (v: unknown) => Number(v ?? 0)
const time = (v: unknown) => (v === null || v === undefined ? null : Number(v))

async function bucketFigures(db: Kysely<Database>, unit: OrgUnitRow, mode: Mode, window: ReportWindow) {
  const { from, where, bucket } = scope(unit, mode)
  const buckets = new Map<string, Bucket>()
  const at = (id: string) => buckets.get(id) ?? buckets.set(id, emptyBucket()).get(id)!
  const byType = new Map<string, number>()

  const sums = sql<Record<string, unknown>>`
    select ${bucket} as bucket, sum(u.members) as members, sum(u.never_studied) as never_studied,
      sum(u.courses_assigned) as assigned, sum(u.courses_completed) as completed,
      sum(u.quizzes_attempted) as quizzes_attempted, sum(u.quizzes_passed) as quizzes_passed,
      sum(u.marks) as marks, sum(u.attended) as attended,
      max(u.newest_sync_at) as newest, min(u.oldest_sync_at) as oldest, sum(u.never_synced) as never_synced,
      sum(u.devices_pending) as devices_pending, sum(u.records_pending) as records_pending
    from ${from} join report_unit_stats u on u.org_unit_id = o.id
    where ${where} group by ${bucket}`.execute(db)
  // Members who studied, but not since the window: read on (org_unit_id, last_study_at), so only
  // they are visited (those who never studied are summed per unit above).
  const studiedBefore = sql<Record<string, unknown>>`
    select ${bucket} as bucket, count(*) as n
    from ${from} join report_person_stats s on s.org_unit_id = o.id
    where ${where} and s.last_study_at < ${window.behindBefore} group by ${bucket}`.execute(db)
  const meetings = sql<Record<string, unknown>>`
    select ${bucket} as bucket, m.type as type, sum(m.meetings) as n
    from ${from} join report_unit_meetings m on m.org_unit_id = o.id
    where ${where} and m.year = ${window.year} group by ${bucket}, m.type`.execute(db)
  const flowing = sql<Record<string, unknown>>`
    select ${bucket} as bucket, count(*) as n
    from ${from} join flowing_record f on f.org_unit_id = o.id
    where ${where} and f.status = 'pending' group by ${bucket}`.execute(db)

  const [u, b, m, f] = await Promise.all([sums, studiedBefore, meetings, flowing])
  for (const r of u.rows) {
    const bucket = at(String(r.bucket))
    Object.assign(bucket.figures, {
      members: num(r.members),
      behind: num(r.never_studied),
      assigned: num(r.assigned),
      completed: num(r.completed),
      quizzesAttempted: num(r.quizzes_attempted),
      quizzesPassed: num(r.quizzes_passed),
      marks: num(r.marks),
      attended: num(r.attended),
    })
    bucket.freshness = {
      newestSyncAt: time(r.newest),
      oldestSyncAt: time(r.oldest),
      neverSynced: num(r.never_synced),
      devicesPending: num(r.devices_pending),
      recordsPending: num(r.records_pending),
    }
  }
  for (const r of b.rows) at(String(r.bucket)).figures.behind += num(r.n)
  for (const r of m.rows) {
    at(String(r.bucket)).figures.meetings += num(r.n)
    byType.set(String(r.type), (byType.get(String(r.type)) ?? 0) + num(r.n))
  }
  for (const r of f.rows) at(String(r.bucket)).figures.flowingPending = num(r.n)
  return { buckets, byType }
}

function add(total: Bucket, b: Bucket): void {
  for (const k of Object.keys(total.figures) as (keyof ReportFigures)[]) total.figures[k] += b.figures[k]
  const t = total.freshness
  const f = b.freshness
  t.newestSyncAt = f.newestSyncAt === null ? t.newestSyncAt : Math.max(t.newestSyncAt ?? 0, f.newestSyncAt)
  t.oldestSyncAt = f.oldestSyncAt === null ? t.oldestSyncAt : Math.min(t.oldestSyncAt ?? Infinity, f.oldestSyncAt)
  t.neverSynced += f.neverSynced
  t.devicesPending += f.devicesPending
  t.recordsPending += f.recordsPending
}

const rate = (done: number, of: number) => (of === 0 ? -1 : done / of)
const SORT_KEYS: Record<ChildSort, (c: ChildReport) => number | string> = {
  name: (c) => c.unit.name,
  completion: (c) => rate(c.figures.completed, c.figures.assigned),
  passRate: (c) => rate(c.figures.quizzesPassed, c.figures.quizzesAttempted),
  attendance: (c) => rate(c.figures.attended, c.figures.marks),
  behind: (c) => c.figures.behind,
  lastSync: (c) => c.freshness.newestSyncAt ?? 0,
  // Largest first = the phone silent for longest first (never synced before any date).
  oldestSync: (c) => -(c.freshness.oldestSyncAt ?? 0),
  neverSynced: (c) => c.freshness.neverSynced,
  pending: (c) => c.freshness.recordsPending,
}

export function sortChildren(children: ChildReport[], sort: ChildSort, order: 'asc' | 'desc'): ChildReport[] {
  const key = SORT_KEYS[sort]
  const sign = order === 'asc' ? 1 : -1
  return [...children].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    const d = typeof x === 'string' ? x.localeCompare(String(y), 'zh-CN') : x - (y as number)
    return d !== 0 ? sign * d : a.unit.name.localeCompare(b.unit.name, 'zh-CN')
  })
}

/** The unit's figures, the same per child unit, and meetings by type. */
export async function unitReport(db: Kysely<Database>, unit: OrgUnitRow, window: ReportWindow) {
  const [children, direct, planned, units] = await Promise.all([
    bucketFigures(db, unit, 'children', window),
    bucketFigures(db, unit, 'direct', window),
    plannedMeetingsByType(db, unit.id, ...yearRange(window.year)),
    db.selectFrom('org_unit').select(['id', 'name', 'kind']).where('parent_id', '=', unit.id).execute(),
  ])
  const total = emptyBucket()
  const childReports: ChildReport[] = units.map((u) => {
    const b = children.buckets.get(u.id) ?? emptyBucket()
    add(total, b)
    return { unit: { id: u.id, name: u.name, kind: u.kind }, ...b }
  })
  add(total, direct.buckets.get(unit.id) ?? emptyBucket())
  const byType = new Map(children.byType)
  for (const [type, n] of direct.byType) byType.set(type, (byType.get(type) ?? 0) + n)
  return {
    ...total,
    // Held beside planned, for every type either has: a planned lecture never held shows as 0 / 4.
    meetingsByType: [...new Set([...byType.keys(), ...Object.keys(planned)])]
      .map((type) => ({ type, count: byType.get(type) ?? 0, planned: planned[type as MeetingType] ?? 0 }))
      .sort((a, b) => b.count - a.count || b.planned - a.planned),
    children: childReports,
  }
}

/** Ancestors of the unit, top first. */
export async function ancestorsOf(db: Kysely<Database>, unit: OrgUnitRow): Promise<(ReportUnit & { path: string })[]> {
  const ids = unit.path.split('/').filter(Boolean).slice(0, -1)
  if (ids.length === 0) return []
  const rows = await db.selectFrom('org_unit').select(['id', 'name', 'kind', 'path']).where('id', 'in', ids).execute()
  return rows.sort((a, b) => a.path.length - b.path.length)
}

export interface MemberCursor {
  name: string
  id: string
}

/** Members of the subtree in name order with their figures; keyset-paged by (name, id). */
export async function memberReports(
  db: Kysely<Database>,
  unit: OrgUnitRow,
  behindBefore: number,
  opts: { behindOnly: boolean; after?: MemberCursor; limit: number },
): Promise<{ items: MemberReport[]; last?: MemberCursor; more: boolean }> {
  const rows = await db
    .selectFrom('org_unit as o')
    .innerJoin('person as p', 'p.org_unit_id', 'o.id')
    .leftJoin('report_person_stats as s', 's.person_id', 'p.id')
    .select([
      'p.id', 'p.name', 'p.is_flowing', 'p.is_elderly', 'o.name as unit_name', 'o.path',
      's.last_study_at', 's.study_seconds', 's.quizzes_attempted', 's.quizzes_passed', 's.marks', 's.attended',
      's.last_sync_at', 's.records_pending', 's.courses_assigned', 's.courses_completed',
    ])
    .where('o.path', '>=', unit.path)
    .where('o.path', '<', subtreeEnd(unit.path))
    .where('p.status', '=', 'active')
    .$if(opts.behindOnly, (q) => q.where((eb) => eb.or([eb('s.last_study_at', 'is', null), eb('s.last_study_at', '<', behindBefore)])))
    .$if(!!opts.after, (q) =>
      q.where((eb) => eb.or([eb('p.name', '>', opts.after!.name), eb.and([eb('p.name', '=', opts.after!.name), eb('p.id', '>', opts.after!.id)])])),
    )
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(opts.limit + 1)
    .execute()
  const page = rows.slice(0, opts.limit)
  const items = page.map((r): MemberReport => {
    const lastStudyAt = time(r.last_study_at)
    return {
      id: r.id,
      name: r.name,
      unitName: r.unit_name,
      isFlowing: r.is_flowing === 1,
      isElderly: r.is_elderly === 1,
      lastStudyAt,
      behind: lastStudyAt === null || lastStudyAt < behindBefore,
      studySeconds: num(r.study_seconds),
      assigned: num(r.courses_assigned),
      completed: num(r.courses_completed),
      quizzesAttempted: num(r.quizzes_attempted),
      quizzesPassed: num(r.quizzes_passed),
      marks: num(r.marks),
      attended: num(r.attended),
      lastSyncAt: time(r.last_sync_at),
      recordsPending: num(r.records_pending),
    }
  })
  const last = page.at(-1)
  return { items, last: last && { name: last.name, id: last.id }, more: rows.length > opts.limit }
}
