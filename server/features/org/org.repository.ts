import type { Kysely } from 'kysely'
import type { Member, OrgUnit } from '../../../src/protocol/org.ts'
import type { Database, OrgUnitRow, PersonRow } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'

export function toOrgUnit(row: OrgUnitRow): OrgUnit {
  return { id: row.id, parentId: row.parent_id, kind: row.kind, name: row.name }
}

export function toMember(row: Pick<PersonRow, 'id' | 'name' | 'org_unit_id' | 'is_flowing' | 'is_elderly' | 'status'>): Member {
  return {
    id: row.id,
    name: row.name,
    orgUnitId: row.org_unit_id,
    isFlowing: row.is_flowing === 1,
    isElderly: row.is_elderly === 1,
    status: row.status,
  }
}

export async function findUnitWithChildren(db: Kysely<Database>, id: string) {
  const unit = await db.selectFrom('org_unit').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const children = await db.selectFrom('org_unit').selectAll().where('parent_id', '=', id).orderBy('name').execute()
  return { unit: toOrgUnit(unit), children: children.map(toOrgUnit) }
}

/** Keyset cursor over (name, id): stable under inserts, cheap at any depth. */
export function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id])).toString('base64url')
}

export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return value as [string, string]
    }
  } catch {
    // falls through: a garbled cursor is reported by the caller
  }
  return undefined
}

/** One page of the people in a subtree, ordered by name. */
export async function listMembersInSubtree(
  db: Kysely<Database>,
  path: string,
  limit: number,
  after?: [string, string],
) {
  let query = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['person.id', 'person.name', 'person.org_unit_id', 'person.is_flowing', 'person.is_elderly', 'person.status'])
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .orderBy('person.name')
    .orderBy('person.id')
    .limit(limit + 1)
  if (after) {
    const [name, id] = after
    query = query.where((eb) =>
      eb.or([eb('person.name', '>', name), eb.and([eb('person.name', '=', name), eb('person.id', '>', id)])]),
    )
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit).map(toMember)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor(last.name, last.id) : null }
}

export async function findPerson(db: Kysely<Database>, id: string) {
  return db.selectFrom('person').selectAll().where('id', '=', id).executeTakeFirst()
}
