import { randomInt, randomUUID } from 'node:crypto'
import { sql, type ExpressionBuilder, type Kysely } from 'kysely'
import type { AdminPerson, PersonDetail, PersonStatus } from '../../../src/protocol/admin.ts'
import type { Occupation } from '../../../src/protocol/survey.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeKey } from './access.ts'
import { refreshAssignedCourses } from '../reports/reportStats.repository.ts'

const PERSON_COLUMNS = [
  'person.id',
  'person.name',
  'person.phone',
  'person.org_unit_id',
  'org_unit.name as org_unit_name',
  'person.is_flowing',
  'person.is_elderly',
  'person.is_committee',
  'person.joined_party_at',
  'person.occupation',
  'person.birth_year',
  'person.status',
  'person.erased_at',
] as const

type PersonListRow = {
  id: string
  name: string
  phone: string
  org_unit_id: string
  org_unit_name: string
  is_flowing: number
  is_elderly: number
  is_committee: number
  joined_party_at: number | null
  occupation?: string | null
  birth_year?: number | null
  status: 'active' | 'inactive'
  erased_at?: number | null
}

export function toAdminPerson(row: PersonListRow): AdminPerson {
  return {
    id: row.id,
    name: row.name,
    phone: row.phone,
    orgUnitId: row.org_unit_id,
    orgUnitName: row.org_unit_name,
    isFlowing: row.is_flowing === 1,
    isElderly: row.is_elderly === 1,
    isCommittee: row.is_committee === 1,
    joinedPartyAt: row.joined_party_at,
    occupation: (row.occupation ?? null) as Occupation | null,
    birthYear: row.birth_year ?? null,
    status: row.status,
    erased: row.erased_at != null,
  }
}

/**
 * `column` starts with `prefix`, as an index range in byte order (see migration 011): SQLite's
 * BINARY collation, COLLATE "C" on PostgreSQL; U+10FFFF sorts after any character.
 */
function startsWith(db: Kysely<Database>, column: 'person.name' | 'person.phone', prefix: string) {
  const col = isPostgres(db as Kysely<unknown>) ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`
  return (eb: ExpressionBuilder<Database & { org_unit: Database['org_unit'] }, 'person' | 'org_unit'>) =>
    eb.and([eb(col, '>=', prefix), eb(col, '<', `${prefix}\u{10FFFF}`)])
}

export interface PeopleFilter {
  q?: string
  status?: PersonStatus
  limit: number
  after?: [string, string]
}

/** One page of the people in a subtree by name; `q` is a name prefix or, in digits, a phone prefix. */
export async function listPeople(db: Kysely<Database>, path: string, { q, status, limit, after }: PeopleFilter) {
  let query = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(PERSON_COLUMNS)
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .orderBy('person.name')
    .orderBy('person.id')
    .limit(limit + 1)
  const term = q?.trim()
  if (term) query = query.where(startsWith(db, /^\d+$/.test(term) ? 'person.phone' : 'person.name', term))
  if (status) query = query.where('person.status', '=', status)
  if (after) {
    const [name, id] = after
    query = query.where((eb) => eb.or([eb('person.name', '>', name), eb.and([eb('person.name', '=', name), eb('person.id', '>', id)])]))
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit).map(toAdminPerson)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeKey([last.name, last.id]) : null }
}

export async function findPersonWithUnit(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select([...PERSON_COLUMNS, 'org_unit.path'])
    .where('person.id', '=', id)
    .executeTakeFirst()
}
export type PersonWithUnit = NonNullable<Awaited<ReturnType<typeof findPersonWithUnit>>>

export async function personDetail(db: Kysely<Database>, id: string): Promise<PersonDetail> {
  const person = await findPersonWithUnit(db, id)
  if (!person) throw new Error(`person ${id} vanished`)
  const roles = await db
    .selectFrom('role')
    .innerJoin('org_unit', 'org_unit.id', 'role.org_unit_id')
    .select(['role.role', 'role.org_unit_id', 'org_unit.name', 'org_unit.kind'])
    .where('role.person_id', '=', id)
    .orderBy('org_unit.path')
    .execute()
  return {
    ...toAdminPerson(person),
    roles: roles.map((r) => ({ role: r.role, orgUnitId: r.org_unit_id, orgUnitName: r.name, orgKind: r.kind })),
  }
}

export async function phoneTaken(db: Kysely<Database>, phone: string, exceptId = ''): Promise<boolean> {
  const row = await db.selectFrom('person').select('id').where('phone', '=', phone).where('id', '!=', exceptId).executeTakeFirst()
  return row !== undefined
}

/**
 * A new account's first password: 8 random digits, easy to read out or print for an elderly
 * member. Only its hash is stored; the leader sees it once.
 */
export function oneTimePassword(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0')
}

export interface NewMember {
  name: string
  phone: string
  unit: Pick<OrgUnitRow, 'id'>
  isFlowing?: boolean
  isElderly?: boolean
  isCommittee?: boolean
  joinedPartyAt?: number | null
  passwordHash: string
}

/** Inserts people and their member role in their unit (call inside a transaction). */
export async function insertMembers(db: Kysely<Database>, members: NewMember[], now = Date.now()): Promise<string[]> {
  const rows = members.map((m) => ({
    id: randomUUID(),
    phone: m.phone,
    name: m.name,
    password_hash: m.passwordHash,
    org_unit_id: m.unit.id,
    is_flowing: m.isFlowing ? 1 : 0,
    is_elderly: m.isElderly ? 1 : 0,
    is_committee: m.isCommittee ? 1 : 0,
    joined_party_at: m.joinedPartyAt ?? null,
    status: 'active' as const,
    created_at: now,
    // The leader chose (and saw) this password: the person replaces it at the first sign-in.
    must_change_password: 1,
  }))
  // Chunks keep each statement under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200)
    await db.insertInto('person').values(chunk).execute()
    await db.insertInto('role').values(chunk.map((p) => ({ person_id: p.id, org_unit_id: p.org_unit_id, role: 'member' as const }))).execute()
  }
  const ids = rows.map((r) => r.id)
  await refreshAssignedCourses(db, ids, now)
  return ids
}

/**
 * Moves a person to another unit. Membership and group leadership belong to the group, so they
 * move or end with it; roles over larger units (secretary, supervisor) stay.
 */
export async function movePerson(db: Kysely<Database>, person: PersonWithUnit, unit: OrgUnitRow): Promise<void> {
  await db.updateTable('person').set({ org_unit_id: unit.id }).where('id', '=', person.id).execute()
  await refreshAssignedCourses(db, [person.id])
  await db
    .deleteFrom('role')
    .where('person_id', '=', person.id)
    .where('org_unit_id', '=', person.org_unit_id)
    .where('role', 'in', ['member', 'group_leader'])
    .execute()
  await db
    .insertInto('role')
    .values({ person_id: person.id, org_unit_id: unit.id, role: 'member' })
    .onConflict((oc) => oc.doNothing())
    .execute()
}
