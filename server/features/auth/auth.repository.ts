import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Profile, RoleGrant } from '../../../src/protocol/auth.ts'
import type { Database, PersonRow } from '../../db/database.ts'

export const SESSION_TTL_MS = 90 * 24 * 3600 * 1000
/** Touch last_seen_at at most this often, so reads do not turn into writes on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export async function findPersonByPhone(db: Kysely<Database>, phone: string): Promise<PersonRow | undefined> {
  return db.selectFrom('person').selectAll().where('phone', '=', phone).executeTakeFirst()
}

export async function createSession(db: Kysely<Database>, personId: string, deviceName: string, now = Date.now()) {
  const token = randomBytes(32).toString('base64url')
  const session = {
    id: randomUUID(),
    token_hash: hashToken(token),
    person_id: personId,
    device_name: deviceName,
    created_at: now,
    last_seen_at: now,
    expires_at: now + SESSION_TTL_MS,
    revoked_at: null,
  }
  await db.insertInto('session').values(session).execute()
  return { token, session }
}

export interface AuthContext {
  sessionId: string
  personId: string
  deviceName: string
}

/** The live session behind a bearer token, or undefined when unknown, revoked or expired. */
export async function findSession(db: Kysely<Database>, token: string, now = Date.now()): Promise<AuthContext | undefined> {
  const row = await db
    .selectFrom('session')
    .innerJoin('person', 'person.id', 'session.person_id')
    .select(['session.id', 'session.person_id', 'session.device_name', 'session.last_seen_at'])
    .where('session.token_hash', '=', hashToken(token))
    .where('session.revoked_at', 'is', null)
    .where('session.expires_at', '>', now)
    .where('person.status', '=', 'active')
    .executeTakeFirst()
  if (!row) return undefined
  if (now - row.last_seen_at > TOUCH_EVERY_MS) {
    await db.updateTable('session').set({ last_seen_at: now }).where('id', '=', row.id).execute()
  }
  return { sessionId: row.id, personId: row.person_id, deviceName: row.device_name }
}

export async function listSessions(db: Kysely<Database>, personId: string, now = Date.now()) {
  return db
    .selectFrom('session')
    .select(['id', 'device_name', 'created_at', 'last_seen_at', 'expires_at'])
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .limit(100)
    .execute()
}

/** Revokes one of the person's own sessions; false when it is not theirs or already gone. */
export async function revokeSession(db: Kysely<Database>, personId: string, sessionId: string, now = Date.now()) {
  const result = await db
    .updateTable('session')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function loadProfile(db: Kysely<Database>, personId: string): Promise<Profile> {
  const person = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .leftJoin('org_unit as parent', 'parent.id', 'org_unit.parent_id')
    .select([
      'person.id',
      'person.name',
      'person.phone',
      'person.org_unit_id',
      'org_unit.name as org_unit_name',
      'org_unit.kind as org_unit_kind',
      'parent.name as parent_name',
      'person.is_flowing',
      'person.is_elderly',
    ])
    .where('person.id', '=', personId)
    .executeTakeFirstOrThrow()
  const roles: RoleGrant[] = (
    await db
      .selectFrom('role')
      .innerJoin('org_unit', 'org_unit.id', 'role.org_unit_id')
      .select(['role.role', 'role.org_unit_id', 'org_unit.name', 'org_unit.kind'])
      .where('role.person_id', '=', personId)
      .orderBy('org_unit.path')
      .execute()
  ).map((r) => ({ role: r.role, orgUnitId: r.org_unit_id, orgUnitName: r.name, orgKind: r.kind }))
  return {
    id: person.id,
    name: person.name,
    phone: person.phone,
    orgUnitId: person.org_unit_id,
    // "第一党小组" alone is ambiguous across villages; a group is shown with its branch.
    orgUnitName:
      person.org_unit_kind === 'group' && person.parent_name
        ? `${person.parent_name} · ${person.org_unit_name}`
        : person.org_unit_name,
    isFlowing: person.is_flowing === 1,
    isElderly: person.is_elderly === 1,
    roles,
  }
}
