/**
 * Annual study plans 年度学习计划. A unit's plan is its own items plus every item published by a
 * unit on its path (its township, its district): the path's ids are the ancestors, so one indexed
 * `org_unit_id in (…)` query reads the whole inherited plan.
 */
import { sql, type Kysely } from 'kysely'
import type { MeetingType } from '../../../src/protocol/attendance.ts'
import type { PlanItem, PlanItemCreate, PlanItemPatch } from '../../../src/protocol/plans.ts'
import type { Database, StudyPlanItemTable } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { monthStart } from './months.ts'

/** Ids on a materialised path "/a/b/c/", root first. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean)
}

async function unitPath(db: Kysely<Database>, orgUnitId: string): Promise<string | undefined> {
  return (await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst())?.path
}

function planQuery(db: Kysely<Database>, unitIds: string[]) {
  return db
    .selectFrom('study_plan_item')
    .innerJoin('org_unit', 'org_unit.id', 'study_plan_item.org_unit_id')
    .selectAll('study_plan_item')
    .select('org_unit.name as org_unit_name')
    .where('study_plan_item.org_unit_id', 'in', unitIds)
}

export function toPlanItem(r: StudyPlanItemTable & { org_unit_name: string }, askedFor: string): PlanItem {
  return {
    id: r.id,
    orgUnitId: r.org_unit_id,
    orgUnitName: r.org_unit_name,
    inherited: r.org_unit_id !== askedFor,
    year: Number(r.year),
    month: Number(r.month),
    kind: r.kind,
    refId: r.ref_id,
    meetingType: r.meeting_type as MeetingType | null,
    title: r.title,
    note: r.note,
  }
}

/** The year's plan of a unit, inherited items included, by month (higher units' items first). */
export async function planForUnit(db: Kysely<Database>, orgUnitId: string, path: string, year: number): Promise<PlanItem[]> {
  const ids = pathIds(path)
  const rows = await planQuery(db, ids)
    .where('study_plan_item.month_start', '>=', monthStart(year, 1))
    .where('study_plan_item.month_start', '<', monthStart(year + 1, 1))
    .execute()
  const depth = new Map(ids.map((id, i) => [id, i]))
  return rows
    .sort((a, b) => a.month - b.month || depth.get(a.org_unit_id)! - depth.get(b.org_unit_id)! || a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
    .map((r) => toPlanItem(r, orgUnitId))
}

/** A unit may hold at most this many items a year: the plan screen shows a year at once. */
export const MAX_ITEMS_PER_YEAR = 500

export async function countItems(db: Kysely<Database>, orgUnitId: string, year: number): Promise<number> {
  const row = await db
    .selectFrom('study_plan_item')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_unit_id', '=', orgUnitId)
    .where('month_start', '>=', monthStart(year, 1))
    .where('month_start', '<', monthStart(year + 1, 1))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findPlanItem(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('study_plan_item')
    .innerJoin('org_unit', 'org_unit.id', 'study_plan_item.org_unit_id')
    .selectAll('study_plan_item')
    .select(['org_unit.name as org_unit_name', 'org_unit.path'])
    .where('study_plan_item.id', '=', id)
    .executeTakeFirst()
}

export async function insertPlanItem(db: Kysely<Database>, body: PlanItemCreate, createdBy: string, now: number): Promise<void> {
  await db
    .insertInto('study_plan_item')
    .values({
      id: body.id,
      org_unit_id: body.orgUnitId,
      year: body.year,
      month: body.month,
      month_start: monthStart(body.year, body.month),
      kind: body.kind,
      ref_id: body.kind === 'meeting' ? null : (body.refId ?? null),
      meeting_type: body.kind === 'meeting' ? (body.meetingType ?? null) : null,
      title: body.title.trim(),
      note: (body.note ?? '').trim(),
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .execute()
}

export async function updatePlanItem(db: Kysely<Database>, item: { id: string; year: number }, patch: PlanItemPatch, now: number): Promise<void> {
  await db
    .updateTable('study_plan_item')
    .set({
      ...(patch.month === undefined ? {} : { month: patch.month, month_start: monthStart(Number(item.year), patch.month) }),
      ...(patch.title === undefined ? {} : { title: patch.title.trim() }),
      ...(patch.note === undefined ? {} : { note: patch.note.trim() }),
      updated_at: now,
    })
    .where('id', '=', item.id)
    .execute()
}

export async function deletePlanItem(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('study_plan_item').where('id', '=', id).execute()
}

/**
 * How many meetings of each type the plans ask of the live branches in a unit's subtree in the
 * months that start within [fromMs, toMs): each branch's own items, plus every item of a township
 * or district above it once per branch below that unit (they inherit it). A branch gets its own
 * plan; a group, none (plans are made per branch). For "meetings held vs the plan" on the monthly
 * report and the reports page, without reading every branch's plan: branches' own items are
 * counted by type in one query, and only the few higher units with items are multiplied by their
 * branch counts.
 */
export async function plannedMeetingsByType(
  db: Kysely<Database>,
  orgUnitId: string,
  fromMs: number,
  toMs: number,
): Promise<Partial<Record<MeetingType, number>>> {
  const path = await unitPath(db, orgUnitId)
  if (!path) return {}
  const end = subtreeEnd(path)
  const meetingsIn = (q: ReturnType<typeof itemsOfUnits>) =>
    q.where('i.kind', '=', 'meeting').where('i.month_start', '>=', fromMs).where('i.month_start', '<', toMs).where('i.meeting_type', 'is not', null)
  const [own, higher] = await Promise.all([
    meetingsIn(itemsOfUnits(db))
      .select((eb) => ['i.meeting_type', eb.fn.countAll<number>().as('n')])
      .where('x.kind', '=', 'branch')
      .where('x.retired_at', 'is', null)
      .where('x.path', '>=', path)
      .where('x.path', '<', end)
      .groupBy('i.meeting_type')
      .execute(),
    meetingsIn(itemsOfUnits(db))
      .select((eb) => ['x.path', 'i.meeting_type', eb.fn.countAll<number>().as('n')])
      .where('x.kind', 'in', ['district', 'township'])
      .where((eb) => eb.or([eb('x.id', 'in', pathIds(path)), eb.and([eb('x.path', '>=', path), eb('x.path', '<', end)])]))
      .groupBy(['x.path', 'i.meeting_type'])
      .execute(),
  ])
  // An item above the unit reaches every branch in the unit; one inside it, the branches under it.
  const reach = (itemPath: string) => (itemPath.length < path.length ? path : itemPath)
  const branches = await liveBranchCounts(db, [...new Set(higher.map((r) => reach(r.path)))])
  const counts: Partial<Record<MeetingType, number>> = {}
  const add = (type: string | null, n: number) => {
    if (type && n) counts[type as MeetingType] = (counts[type as MeetingType] ?? 0) + n
  }
  for (const r of own) add(r.meeting_type, Number(r.n))
  for (const r of higher) add(r.meeting_type, Number(r.n) * (branches.get(reach(r.path)) ?? 0))
  return counts
}

function itemsOfUnits(db: Kysely<Database>) {
  return db.selectFrom('study_plan_item as i').innerJoin('org_unit as x', 'x.id', 'i.org_unit_id')
}

/** Live branches under each of these unit paths (a branch counts itself), in one query. */
async function liveBranchCounts(db: Kysely<Database>, paths: string[]): Promise<Map<string, number>> {
  if (paths.length === 0) return new Map()
  const rows = await db
    .selectFrom('org_unit as x')
    .innerJoin('org_unit as b', (join) => join.onRef('b.path', '>=', 'x.path').on(sql<boolean>`b.path < x.path || '~'`))
    .select((eb) => ['x.path', eb.fn.countAll<number>().as('n')])
    .where('x.path', 'in', paths)
    .where('b.kind', '=', 'branch')
    .where('b.retired_at', 'is', null)
    .groupBy('x.path')
    .execute()
  return new Map(rows.map((r) => [r.path, Number(r.n)]))
}
