/**
 * Report queries. Figures are added up per child unit of the unit asked for (the drill-down
 * table) and for the members placed directly on the unit itself; the unit's own figures are their
 * sum, so the subtree is read once. Each member contributes one narrow `report_person_stats` row
 * (kept current on push, see reportStats.repository.ts) instead of their events.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { ChildReport, ChildSort, Freshness, MemberReport, ReportFigures, ReportUnit } from '../../../src/protocol/reports.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'

const WEEK = 7 * 24 * 60 * 60 * 1000

export interface ReportWindow {
  /** members whose newest study is before this are behind */
  behindBefore: number
  /** meetings from here on count */
  since: number
}

/** 1 January of the current year in China (UTC+8), the default start for meetings held. */
export function startOfYearChina(now: number): number {
  const year = new Date(now + 8 * 3600_000).getUTCFullYear()
  return Date.UTC(year, 0, 1) - 8 * 3600_000
}

export const behindBefore = (now: number, weeks: number) => now - weeks * WEEK

/** Rows are added up per bucket: each child unit, or the unit itself for members placed on it. */
type Mode = 'children' | 'direct'

function scope(unit: OrgUnitRow, mode: Mode): { from: RawBuilder<unknown>; where: RawBuilder<unknown>; bucket: RawBuilder<unknown> } {
  return mode === 'children'
    ? {
        from: sql`org_unit c join org_unit o on o.path >= c.path and o.path < c.path || '~'`,
        where: sql`c.parent_id = ${unit.id}`,
        bucket: sql`c.id`,
      }
    : { from: sql`org_unit o`, where: sql`o.id = ${unit.id}`, bucket: sql`o.id` }
}

interface Assigned {
  courseId: string
  path: string
  lessons: number
}

/**
 * Course assignments that reach members of this subtree: made on the unit, an ancestor or a unit
 * inside it. A course assigned at two levels counts once per member (the higher one covers it).
 */
async function assignedCourses(db: Kysely<Database>, unit: OrgUnitRow): Promise<Assigned[]> {
  const ancestors = unit.path.split('/').filter(Boolean).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const rows = await db
    .selectFrom('assignment as a')
    .innerJoin('org_unit as au', 'au.id', 'a.org_unit_id')
    .select(['a.course_id', 'au.path'])
    .where('a.course_id', 'is not', null)
    .where('a.deleted_at', 'is', null)
    .where('a.target', '=', 'unit')
    .where((eb) => eb.or([eb('au.path', 'in', ancestors), eb.and([eb('au.path', '>', unit.path), eb('au.path', '<', subtreeEnd(unit.path))])]))
    .execute()
  const unique = rows.filter(
    (r, i) => !rows.some((o, j) => o.course_id === r.course_id && (o.path === r.path ? j < i : r.path.startsWith(o.path))),
  )
  if (unique.length === 0) return []
  const lessons = await db
    .selectFrom('lesson')
    .select((eb) => ['course_id', eb.fn.countAll<number>().as('n')])
    .where('course_id', 'in', [...new Set(unique.map((r) => r.course_id!))])
    .where('deleted_at', 'is', null)
    .groupBy('course_id')
    .execute()
  const count = new Map(lessons.map((l) => [l.course_id, Number(l.n)]))
  return unique.filter((r) => count.get(r.course_id!)).map((r) => ({ courseId: r.course_id!, path: r.path, lessons: count.get(r.course_id!)! }))
}

/**
 * Assigned and completed pairs of assignments made inside the subtree, per assignment unit path.
 * Read unit by unit (the few branches that assigned something), never by joining every member
 * against the list of assignments: the planner has no statistics for such a list.
 */
async function innerAssignmentFigures(db: Kysely<Database>, inner: Assigned[]): Promise<Map<string, { assigned: number; completed: number }>> {
  const result = new Map<string, { assigned: number; completed: number }>()
  if (inner.length === 0) return result
  const paths = [...new Set(inner.map((a) => a.path))]
  const units = await db
    .selectFrom('org_unit')
    .select(['id', 'path'])
    .where((eb) => eb.or(paths.map((p) => eb.and([eb('path', '>=', p), eb('path', '<', subtreeEnd(p))]))))
    .execute()
  const ids = units.map((u) => u.id)
  if (ids.length === 0) return result
  const [members, completers] = await Promise.all([
    db
      .selectFrom('person')
      .select((eb) => ['org_unit_id', eb.fn.countAll<number>().as('n')])
      .where('org_unit_id', 'in', ids)
      .where('status', '=', 'active')
      .groupBy('org_unit_id')
      .execute(),
    db
      .selectFrom('person as p')
      .innerJoin('report_course_progress as cp', 'cp.person_id', 'p.id')
      .select((eb) => ['p.org_unit_id', 'cp.course_id', 'cp.lessons_completed', eb.fn.countAll<number>().as('n')])
      .where('p.org_unit_id', 'in', ids)
      .where('p.status', '=', 'active')
      .where('cp.course_id', 'in', [...new Set(inner.map((a) => a.courseId))])
      .groupBy(['p.org_unit_id', 'cp.course_id', 'cp.lessons_completed'])
      .execute(),
  ])
  const pathOf = new Map(units.map((u) => [u.id, u.path]))
  const entry = (path: string) => result.get(path) ?? result.set(path, { assigned: 0, completed: 0 }).get(path)!
  for (const m of members) {
    for (const a of inner) if (pathOf.get(m.org_unit_id)!.startsWith(a.path)) entry(a.path).assigned += Number(m.n)
  }
  for (const c of completers) {
    for (const a of inner) {
      if (a.courseId === c.course_id && c.lessons_completed >= a.lessons && pathOf.get(c.org_unit_id)!.startsWith(a.path)) entry(a.path).completed += Number(c.n)
    }
  }
  return result
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

async function bucketFigures(db: Kysely<Database>, unit: OrgUnitRow, mode: Mode, window: ReportWindow, assigned: Assigned[]) {
  const { from, where, bucket } = scope(unit, mode)
  const buckets = new Map<string, Bucket>()
  const at = (id: string) => buckets.get(id) ?? buckets.set(id, emptyBucket()).get(id)!
  const byType = new Map<string, number>()

  // Assignments on the unit or above reach every member; one made inside the subtree reaches the
  // members under its own unit only (innerAssignmentFigures).
  const reachAll = assigned.filter((a) => a.path.length <= unit.path.length)
  const inner = mode === 'children' ? assigned.filter((a) => a.path.length > unit.path.length) : []
  const people = sql<Record<string, unknown>>`
    select ${bucket} as bucket, count(*) as members,
      sum(case when s.last_study_at is null or s.last_study_at < ${window.behindBefore} then 1 else 0 end) as behind,
      sum(s.quizzes_attempted) as quizzes_attempted, sum(s.quizzes_passed) as quizzes_passed,
      sum(s.marks) as marks, sum(s.attended) as attended,
      max(s.last_sync_at) as newest, min(s.last_sync_at) as oldest,
      sum(case when s.last_sync_at is null then 1 else 0 end) as never_synced,
      sum(s.devices_pending) as devices_pending, sum(s.records_pending) as records_pending
    from ${from} join person p on p.org_unit_id = o.id left join report_person_stats s on s.person_id = p.id
    where ${where} and p.status = 'active' group by ${bucket}`.execute(db)
  // Completions per lessons-completed count, compared with each course's lesson count below.
  const completion = reachAll.length
    ? sql<Record<string, unknown>>`
    select ${bucket} as bucket, cp.course_id as course_id, cp.lessons_completed as lessons, count(*) as n
    from ${from} join person p on p.org_unit_id = o.id
      join report_course_progress cp on cp.person_id = p.id
    where ${where} and p.status = 'active' and cp.course_id in (${sql.join(reachAll.map((a) => a.courseId))})
    group by ${bucket}, cp.course_id, cp.lessons_completed`.execute(db)
    : Promise.resolve({ rows: [] })
  const innerFigures = innerAssignmentFigures(db, inner)
  const meetings = sql<Record<string, unknown>>`
    select ${bucket} as bucket, m.type as type, count(*) as n
    from ${from} join meeting m on m.org_unit_id = o.id
    where ${where} and m.starts_at >= ${window.since} group by ${bucket}, m.type`.execute(db)
  const flowing = sql<Record<string, unknown>>`
    select ${bucket} as bucket, count(*) as n
    from ${from} join flowing_record f on f.org_unit_id = o.id
    where ${where} and f.status = 'pending' group by ${bucket}`.execute(db)

  const [p, c, m, f, inn] = await Promise.all([people, completion, meetings, flowing, innerFigures])
  for (const r of p.rows) {
    const b = at(String(r.bucket))
    Object.assign(b.figures, {
      members: num(r.members),
      behind: num(r.behind),
      quizzesAttempted: num(r.quizzes_attempted),
      quizzesPassed: num(r.quizzes_passed),
      marks: num(r.marks),
      attended: num(r.attended),
      assigned: reachAll.length * num(r.members),
    })
    b.freshness = {
      newestSyncAt: time(r.newest),
      oldestSyncAt: time(r.oldest),
      neverSynced: num(r.never_synced),
      devicesPending: num(r.devices_pending),
      recordsPending: num(r.records_pending),
    }
  }
  const lessonsOf = new Map(reachAll.map((a) => [a.courseId, a.lessons]))
  for (const r of c.rows) if (num(r.lessons) >= lessonsOf.get(String(r.course_id))!) at(String(r.bucket)).figures.completed += num(r.n)
  for (const [path, figures] of inn) {
    const child = at(path.slice(unit.path.length).split('/')[0]!).figures
    child.assigned += figures.assigned
    child.completed += figures.completed
  }
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
  const assigned = await assignedCourses(db, unit)
  const [children, direct, units] = await Promise.all([
    bucketFigures(db, unit, 'children', window, assigned),
    bucketFigures(db, unit, 'direct', window, assigned),
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
    meetingsByType: [...byType].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
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
  window: ReportWindow,
  opts: { behindOnly: boolean; after?: MemberCursor; limit: number },
): Promise<{ items: MemberReport[]; last?: MemberCursor; more: boolean }> {
  const rows = await db
    .selectFrom('org_unit as o')
    .innerJoin('person as p', 'p.org_unit_id', 'o.id')
    .leftJoin('report_person_stats as s', 's.person_id', 'p.id')
    .select([
      'p.id', 'p.name', 'p.is_flowing', 'p.is_elderly', 'o.name as unit_name', 'o.path',
      's.last_study_at', 's.study_seconds', 's.quizzes_attempted', 's.quizzes_passed', 's.marks', 's.attended',
      's.last_sync_at', 's.records_pending',
    ])
    .where('o.path', '>=', unit.path)
    .where('o.path', '<', subtreeEnd(unit.path))
    .where('p.status', '=', 'active')
    .$if(opts.behindOnly, (q) => q.where((eb) => eb.or([eb('s.last_study_at', 'is', null), eb('s.last_study_at', '<', window.behindBefore)])))
    .$if(!!opts.after, (q) =>
      q.where((eb) => eb.or([eb('p.name', '>', opts.after!.name), eb.and([eb('p.name', '=', opts.after!.name), eb('p.id', '>', opts.after!.id)])])),
    )
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(opts.limit + 1)
    .execute()
  const page = rows.slice(0, opts.limit)

  const assigned = await assignedCourses(db, unit)
  const progress = new Map<string, number>()
  if (page.length && assigned.length) {
    const cp = await db
      .selectFrom('report_course_progress')
      .select(['person_id', 'course_id', 'lessons_completed'])
      .where('person_id', 'in', page.map((r) => r.id))
      .where('course_id', 'in', [...new Set(assigned.map((a) => a.courseId))])
      .execute()
    for (const r of cp) progress.set(`${r.person_id} ${r.course_id}`, Number(r.lessons_completed))
  }

  const items = page.map((r): MemberReport => {
    const mine = assigned.filter((a) => r.path.startsWith(a.path))
    const lastStudyAt = time(r.last_study_at)
    return {
      id: r.id,
      name: r.name,
      unitName: r.unit_name,
      isFlowing: r.is_flowing === 1,
      isElderly: r.is_elderly === 1,
      lastStudyAt,
      behind: lastStudyAt === null || lastStudyAt < window.behindBefore,
      studySeconds: num(r.study_seconds),
      assigned: mine.length,
      completed: mine.filter((a) => (progress.get(`${r.id} ${a.courseId}`) ?? 0) >= a.lessons).length,
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
