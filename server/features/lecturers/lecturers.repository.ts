import type { Kysely } from 'kysely'
import type { Lecturer, LecturerRequest } from '../../../src/protocol/admin.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeKey } from '../admin/access.ts'

type LecturerRow = Database['lecturer'] & { org_unit_name: string; path: string }

export function toLecturer(row: LecturerRow, canManage: boolean): Lecturer {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    topics: JSON.parse(row.topics) as string[],
    contact: row.contact,
    orgUnitId: row.org_unit_id,
    orgUnitName: row.org_unit_name,
    retired: row.retired_at != null,
    canManage,
  }
}

function lecturers(db: Kysely<Database>) {
  return db.selectFrom('lecturer').innerJoin('org_unit', 'org_unit.id', 'lecturer.org_unit_id').selectAll('lecturer').select(['org_unit.name as org_unit_name', 'org_unit.path'])
}

export async function findLecturer(db: Kysely<Database>, id: string): Promise<LecturerRow | undefined> {
  return lecturers(db).where('lecturer.id', '=', id).executeTakeFirst()
}

/**
 * Lecturers a unit can draw on (those of the unit and every unit above it) and those its
 * supervisors keep below it, one page by name.
 */
export async function listLecturers(db: Kysely<Database>, path: string, limit: number, after?: [string, string]) {
  const ancestorIds = path.split('/').filter(Boolean)
  let query = lecturers(db)
    .where((eb) => eb.or([eb('lecturer.org_unit_id', 'in', ancestorIds), eb.and([eb('org_unit.path', '>', path), eb('org_unit.path', '<', subtreeEnd(path))])]))
    .orderBy('lecturer.name')
    .orderBy('lecturer.id')
    .limit(limit + 1)
  if (after) {
    const [name, id] = after
    query = query.where((eb) => eb.or([eb('lecturer.name', '>', name), eb.and([eb('lecturer.name', '=', name), eb('lecturer.id', '>', id)])]))
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeKey([last.name, last.id]) : null }
}

function requests(db: Kysely<Database>) {
  return db
    .selectFrom('lecturer_request as r')
    .innerJoin('lecturer', 'lecturer.id', 'r.lecturer_id')
    .innerJoin('org_unit as lu', 'lu.id', 'lecturer.org_unit_id')
    .innerJoin('org_unit as ru', 'ru.id', 'r.org_unit_id')
    .innerJoin('person', 'person.id', 'r.requested_by')
    .selectAll('r')
    .select(['lecturer.name as lecturer_name', 'lu.path as lecturer_path', 'ru.name as org_unit_name', 'person.name as requested_by_name'])
}
export type RequestRow = NonNullable<Awaited<ReturnType<ReturnType<typeof requests>['executeTakeFirst']>>>

export function toRequest(r: RequestRow, canDecide: boolean): LecturerRequest {
  return {
    id: r.id,
    lecturerId: r.lecturer_id,
    lecturerName: r.lecturer_name,
    orgUnitId: r.org_unit_id,
    orgUnitName: r.org_unit_name,
    meetingAt: Number(r.meeting_at),
    topic: r.topic,
    note: r.note,
    status: r.status,
    answer: r.answer,
    requestedByName: r.requested_by_name,
    createdAt: Number(r.created_at),
    canDecide: canDecide && r.status === 'requested',
  }
}

export async function findRequest(db: Kysely<Database>, id: string) {
  return requests(db).where('r.id', '=', id).executeTakeFirst()
}

/** Requests for the subtree's lecturers (incoming) or made by its units (outgoing), newest first. */
export async function listRequests(
  db: Kysely<Database>,
  path: string,
  side: 'incoming' | 'outgoing',
  limit: number,
  after?: [number, string],
) {
  const scope = side === 'incoming' ? 'lu.path' : 'ru.path'
  let query = requests(db)
    .where(scope, '>=', path)
    .where(scope, '<', subtreeEnd(path))
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1)
  if (after) {
    const [at, id] = after
    query = query.where((eb) => eb.or([eb('r.created_at', '<', at), eb.and([eb('r.created_at', '=', at), eb('r.id', '<', id)])]))
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeKey([Number(last.created_at), last.id]) : null }
}
