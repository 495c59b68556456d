/**
 * Study points 学习圈: area reads for phones (a block of grid cells, or a unit's subtree), keyset-paged on the index each read scans, and the supervisors' writes.
 * Plain functions taking `db` first.
 */
import type { Kysely } from 'kysely'
import { cellBlockE6, type AreaCell } from '../../../src/protocol/areaCell.ts'
import type { OpenMeeting, StudyPoint, StudyPointArea, StudyPointInput, StudyPointPatch } from '../../../src/protocol/studyPoints.ts'
import type { Database, StudyPointTable } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeCursor } from '../org/org.repository.ts'

const E6 = 1_000_000
/** Meetings listed on a point: running now or starting within this window. */
const MEETINGS_AHEAD_MS = 60 * 24 * 60 * 60 * 1000
const MEETINGS_PER_POINT = 5

export const toE6 = (degrees: number) => Math.round(degrees * E6)

function baseQuery(db: Kysely<Database>) {
  return db
    .selectFrom('study_point')
    .innerJoin('org_unit', 'org_unit.id', 'study_point.org_unit_id')
    .selectAll('study_point')
    .select('org_unit.name as org_unit_name')
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['execute']>>[number]

function toPoint(r: Row, meetings: OpenMeeting[] = []): StudyPoint {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    address: r.address,
    lat: Number(r.lat_e6) / E6,
    lng: Number(r.lng_e6) / E6,
    openingHours: r.opening_hours,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    orgUnitId: r.org_unit_id,
    orgUnitName: r.org_unit_name,
    retired: r.retired_at !== null,
    updatedAt: Number(r.updated_at),
    meetings,
  }
}

/** Meetings open to visitors at these points, grouped by point, soonest first. */
async function openMeetings(db: Kysely<Database>, pointIds: string[], now: number): Promise<Map<string, OpenMeeting[]>> {
  const byPoint = new Map<string, OpenMeeting[]>()
  if (pointIds.length === 0) return byPoint
  const rows = await db
    .selectFrom('meeting')
    .innerJoin('org_unit', 'org_unit.id', 'meeting.org_unit_id')
    .select(['meeting.id', 'meeting.study_point_id', 'meeting.type', 'meeting.topic', 'meeting.place', 'meeting.starts_at', 'meeting.ends_at', 'org_unit.name'])
    .where('meeting.study_point_id', 'in', pointIds)
    .where('meeting.starts_at', '<', now + MEETINGS_AHEAD_MS)
    .where('meeting.ends_at', '>=', now)
    .orderBy('meeting.starts_at')
    .limit(pointIds.length * MEETINGS_PER_POINT * 2)
    .execute()
  for (const r of rows) {
    const list = byPoint.get(r.study_point_id!) ?? []
    if (list.length >= MEETINGS_PER_POINT) continue
    list.push({ id: r.id, type: r.type, topic: r.topic, place: r.place, startsAt: Number(r.starts_at), endsAt: Number(r.ends_at), orgUnitName: r.name })
    byPoint.set(r.study_point_id!, list)
  }
  return byPoint
}

async function withMeetings(db: Kysely<Database>, rows: Row[], now: number): Promise<StudyPoint[]> {
  const meetings = await openMeetings(db, rows.map((r) => r.id), now)
  return rows.map((r) => toPoint(r, meetings.get(r.id)))
}

export interface Page<T> {
  items: T[]
  next: string | null
}

/**
 * Active points in a grid cell and its eight neighbours (the phone sorts by true distance; it
 * never sends its position). The latitude band is a range scan on (lat_e6, lng_e6, id) with
 * longitude checked in the index; the few hundred matches are sorted by (lat_e6, id), the keyset
 * page order. Points across the ±180° meridian are not found (not needed here).
 */
export async function listInCells(
  db: Kysely<Database>,
  cell: AreaCell,
  limit: number,
  after: [number, string] | undefined,
  now = Date.now(),
): Promise<Page<StudyPoint>> {
  const box = cellBlockE6(cell)
  let q = baseQuery(db)
    .where('study_point.lat_e6', '>=', box.latMin)
    .where('study_point.lat_e6', '<', box.latMax)
    .where('study_point.lng_e6', '>=', box.lngMin)
    .where('study_point.lng_e6', '<', box.lngMax)
    .where('study_point.retired_at', 'is', null)
  if (after) {
    const [lat, id] = after
    q = q.where((eb) => eb.or([eb('study_point.lat_e6', '>', lat), eb.and([eb('study_point.lat_e6', '=', lat), eb('study_point.id', '>', id)])]))
  }
  const rows = await q.orderBy('study_point.lat_e6').orderBy('study_point.id').limit(limit + 1).execute()
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: await withMeetings(db, page, now), next: more && last ? encodeCursor(String(last.lat_e6), last.id) : null }
}

/** Points run by units in `path`'s subtree, paged by (org_path, id): one range scan. */
export async function listInSubtree(
  db: Kysely<Database>,
  path: string,
  includeRetired: boolean,
  limit: number,
  after: [string, string] | undefined,
  now = Date.now(),
): Promise<Page<StudyPoint>> {
  let q = baseQuery(db).where('study_point.org_path', '>=', path).where('study_point.org_path', '<', subtreeEnd(path))
  if (!includeRetired) q = q.where('study_point.retired_at', 'is', null)
  if (after) {
    const [p, id] = after
    q = q.where((eb) => eb.or([eb('study_point.org_path', '>', p), eb.and([eb('study_point.org_path', '=', p), eb('study_point.id', '>', id)])]))
  }
  const rows = await q.orderBy('study_point.org_path').orderBy('study_point.id').limit(limit + 1).execute()
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: await withMeetings(db, page, now), next: more && last ? encodeCursor(last.org_path, last.id) : null }
}

export async function findPoint(db: Kysely<Database>, id: string, now = Date.now()): Promise<StudyPoint | undefined> {
  const row = await baseQuery(db).where('study_point.id', '=', id).executeTakeFirst()
  return row ? (await withMeetings(db, [row], now))[0] : undefined
}

export async function findPointUnit(db: Kysely<Database>, id: string): Promise<{ org_unit_id: string; org_path: string; retired_at: number | null } | undefined> {
  return db.selectFrom('study_point').select(['org_unit_id', 'org_path', 'retired_at']).where('id', '=', id).executeTakeFirst()
}

function columns(input: Partial<StudyPointInput>): Partial<StudyPointTable> {
  const c: Partial<StudyPointTable> = {}
  if (input.name !== undefined) c.name = input.name.trim()
  if (input.type !== undefined) c.type = input.type
  if (input.address !== undefined) c.address = input.address.trim()
  if (input.lat !== undefined) c.lat_e6 = toE6(input.lat)
  if (input.lng !== undefined) c.lng_e6 = toE6(input.lng)
  if (input.openingHours !== undefined) c.opening_hours = input.openingHours.trim()
  if (input.contactName !== undefined) c.contact_name = input.contactName.trim()
  if (input.contactPhone !== undefined) c.contact_phone = input.contactPhone.trim()
  if (input.orgUnitId !== undefined) c.org_unit_id = input.orgUnitId
  return c
}

export async function insertPoint(
  db: Kysely<Database>,
  row: { id: string; input: StudyPointInput; orgPath: string; createdBy: string; now: number },
): Promise<void> {
  await db
    .insertInto('study_point')
    .values({
      ...(columns(row.input) as Omit<StudyPointTable, 'id' | 'org_path' | 'retired_at' | 'created_by' | 'created_at' | 'updated_at'>),
      id: row.id,
      org_path: row.orgPath,
      retired_at: null,
      created_by: row.createdBy,
      created_at: row.now,
      updated_at: row.now,
    })
    .execute()
}

/** Applies a patch; `orgPath` is the new unit's path when the patch moves the point. */
export async function updatePoint(db: Kysely<Database>, id: string, patch: StudyPointPatch, orgPath: string | undefined, now: number): Promise<void> {
  const { retired, ...fields } = patch
  await db
    .updateTable('study_point')
    .set({
      ...columns(fields),
      ...(orgPath === undefined ? {} : { org_path: orgPath }),
      ...(retired === undefined ? {} : { retired_at: retired ? now : null }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
}

/**
 * The units under `parentId` (townships under a district) with how many active points each runs
 * and the centre of those points: a member without location picks one and the list is sorted from there.
 */
export async function listAreas(db: Kysely<Database>, parentId: string, limit: number, afterId: string | undefined): Promise<Page<StudyPointArea>> {
  let q = db.selectFrom('org_unit').select(['id', 'name', 'path']).where('parent_id', '=', parentId)
  if (afterId) q = q.where('id', '>', afterId)
  const units = await q.orderBy('id').limit(limit + 1).execute()
  const page = units.slice(0, limit)
  const items = await Promise.all(
    page.map(async (u) => {
      const agg = await db
        .selectFrom('study_point')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.avg<number>('lat_e6').as('lat'), eb.fn.avg<number>('lng_e6').as('lng')])
        .where('org_path', '>=', u.path)
        .where('org_path', '<', subtreeEnd(u.path))
        .where('retired_at', 'is', null)
        .executeTakeFirstOrThrow()
      const n = Number(agg.n)
      return { id: u.id, name: u.name, pointCount: n, lat: n ? Number(agg.lat) / E6 : null, lng: n ? Number(agg.lng) / E6 : null }
    }),
  )
  return { items: items.filter((a) => a.pointCount > 0), next: units.length > limit ? page.at(-1)!.id : null }
}
