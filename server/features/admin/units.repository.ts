import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { AdminUnit, UnitView } from '../../../src/protocol/admin.ts'
import type { OrgKind } from '../../../src/protocol/auth.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeKey } from './access.ts'

/** The tree has fixed levels: a unit's children are always of the next kind. */
export const CHILD_KIND: Record<OrgKind, OrgKind | null> = { district: 'township', township: 'branch', branch: 'group', group: null }

/**
 * Tables that copy an org path for range scans; a move rewrites them with org_unit in the same
 * transaction, so a moved branch keeps its audit history and study points under its new township.
 */
const PATH_COPIES = [
  ['audit_log', 'org_path'],
  ['study_point', 'org_path'],
] as const

function unitsWithCounts(db: Kysely<Database>) {
  return db
    .selectFrom('org_unit as u')
    .selectAll('u')
    .select((eb) => [
      eb
        .selectFrom('person')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('person.org_unit_id', '=', 'u.id')
        .where('person.status', '=', 'active')
        .as('member_count'),
      eb.selectFrom('org_unit as c').select(eb.fn.countAll<number>().as('n')).whereRef('c.parent_id', '=', 'u.id').as('child_count'),
    ])
}

function toAdminUnit(row: OrgUnitRow & { member_count: number | string | null; child_count: number | string | null }): AdminUnit {
  return {
    id: row.id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    retired: row.retired_at != null,
    memberCount: Number(row.member_count ?? 0),
    childCount: Number(row.child_count ?? 0),
  }
}

/** The unit, its ancestors (for a breadcrumb) and one page of its children by name. */
export async function unitView(db: Kysely<Database>, unit: OrgUnitRow, limit: number, after?: [string, string]): Promise<UnitView> {
  const ancestorIds = unit.path.split('/').filter(Boolean).slice(0, -1)
  const ancestors = ancestorIds.length
    ? await db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', ancestorIds).execute()
    : []
  ancestors.sort((a, b) => ancestorIds.indexOf(a.id) - ancestorIds.indexOf(b.id))
  const self = await unitsWithCounts(db).where('u.id', '=', unit.id).executeTakeFirstOrThrow()
  let query = unitsWithCounts(db).where('u.parent_id', '=', unit.id).orderBy('u.name').orderBy('u.id').limit(limit + 1)
  if (after) {
    const [name, id] = after
    query = query.where((eb) => eb.or([eb('u.name', '>', name), eb.and([eb('u.name', '=', name), eb('u.id', '>', id)])]))
  }
  const rows = await query.execute()
  const children = rows.slice(0, limit).map(toAdminUnit)
  const last = children[children.length - 1]
  return {
    unit: toAdminUnit(self),
    ancestors,
    children,
    nextChildren: rows.length > limit && last ? encodeKey([last.name, last.id]) : null,
  }
}

export async function createUnit(db: Kysely<Database>, parent: OrgUnitRow, kind: OrgKind, name: string, now = Date.now()) {
  const id = randomUUID()
  const unit = { id, parent_id: parent.id, kind, name, path: `${parent.path}${id}/`, created_at: now, retired_at: null }
  await db.insertInto('org_unit').values(unit).execute()
  return unit
}

/**
 * Re-roots the unit's whole subtree under `parent` by rewriting every path that starts with the
 * unit's old path. Call inside a transaction: paths and their copies change together or not at all.
 */
export async function moveUnit(db: Kysely<Database>, unit: OrgUnitRow, parent: OrgUnitRow): Promise<string> {
  const newPath = `${parent.path}${unit.id}/`
  // substr is 1-based on both databases; ids are ASCII, so characters are bytes.
  const rest = unit.path.length + 1
  await db
    .updateTable('org_unit')
    .set({ path: sql<string>`${newPath} || substr(path, ${rest})` })
    .where('path', '>=', unit.path)
    .where('path', '<', subtreeEnd(unit.path))
    .execute()
  await db.updateTable('org_unit').set({ parent_id: parent.id }).where('id', '=', unit.id).execute()
  for (const [table, column] of PATH_COPIES) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${newPath} || substr(${sql.ref(column)}, ${rest})
      where ${sql.ref(column)} >= ${unit.path} and ${sql.ref(column)} < ${subtreeEnd(unit.path)}`.execute(db)
  }
  return newPath
}

/** Sibling units have distinct names, so a name path (CSV import) points at one unit. */
export async function nameTaken(db: Kysely<Database>, parentId: string, name: string, exceptId = ''): Promise<boolean> {
  const row = await db
    .selectFrom('org_unit')
    .select('id')
    .where('parent_id', '=', parentId)
    .where('name', '=', name)
    .where('id', '!=', exceptId)
    .executeTakeFirst()
  return row !== undefined
}

export async function hasActiveMembers(db: Kysely<Database>, path: string): Promise<boolean> {
  const row = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select('person.id')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .where('person.status', '=', 'active')
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** Retires the unit and every unit below it (none of them has active members). */
export async function retireSubtree(db: Kysely<Database>, path: string, now = Date.now()): Promise<number> {
  const result = await db
    .updateTable('org_unit')
    .set({ retired_at: now })
    .where('path', '>=', path)
    .where('path', '<', subtreeEnd(path))
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
