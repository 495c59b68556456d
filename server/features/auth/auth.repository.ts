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

/** The person with this phone and the path of their unit (audit entries about them are filed there). */
export async function findPersonByPhone(db: Kysely<Database>, phone: string): Promise<(PersonRow & { org_path: string }) | undefined> {
  return db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .selectAll('person')
    .select('org_unit.path as org_path')
    .where('person.phone', '=', phone)
    .executeTakeFirst()
}

/**
 * Whether the person must set a new password before doing anything else: an admin gave them a
 * one-time password (create, import, reset), or PASSWORD_MAX_AGE_DAYS is set and passed since
 * their last own change. Off by default: forced periodic changes make people write passwords down.
 */
export function mustChangePassword(
  person: Pick<PersonRow, 'must_change_password' | 'password_changed_at' | 'created_at'>,
  now = Date.now(),
): boolean {
  if (person.must_change_password === 1) return true
  const maxAgeDays = Number(process.env.PASSWORD_MAX_AGE_DAYS ?? 0)
  if (!(maxAgeDays > 0)) return false
  return now - Number(person.password_changed_at ?? person.created_at) > maxAgeDays * 24 * 3600 * 1000
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
    // Signing in is entering the password: admin actions are allowed for the next 15 minutes.
    verified_at: now,
  }
  await db.insertInto('session').values(session).execute()
  return { token, session }
}

export interface AuthContext {
  sessionId: string
  personId: string
  deviceName: string
}

/** What the request's session knows beyond who it is: for step-up and the forced password change. */
export interface SessionContext extends AuthContext {
  /** Last password entry on this session (sign-in or step-up), epoch ms; 0 when never recorded. */
  verifiedAt: number
  mustChangePassword: boolean
}

/** The live session behind a bearer token, or undefined when unknown, revoked or expired. */
export async function findSession(db: Kysely<Database>, token: string, now = Date.now()): Promise<SessionContext | undefined> {
  const row = await db
    .selectFrom('session')
    .innerJoin('person', 'person.id', 'session.person_id')
    .select([
      'session.id',
      'session.person_id',
      'session.device_name',
      'session.last_seen_at',
      'session.verified_at',
      'person.must_change_password',
      'person.password_changed_at',
      'person.created_at',
    ])
    .where('session.token_hash', '=', hashToken(token))
    .where('session.revoked_at', 'is', null)
    .where('session.expires_at', '>', now)
    .where('person.status', '=', 'active')
    .executeTakeFirst()
  if (!row) return undefined
  if (now - row.last_seen_at > TOUCH_EVERY_MS) {
    await db.updateTable('session').set({ last_seen_at: now }).where('id', '=', row.id).execute()
  }
  return {
    sessionId: row.id,
    personId: row.person_id,
    deviceName: row.device_name,
    verifiedAt: Number(row.verified_at ?? 0),
    mustChangePassword: mustChangePassword(row, now),
  }
}

/** Records that this session just proved the password (sign-in, step-up, password change). */
export async function markVerified(db: Kysely<Database>, sessionId: string, now = Date.now()): Promise<void> {
  await db.updateTable('session').set({ verified_at: now }).where('id', '=', sessionId).execute()
}

/**
 * Sets a password. `oneTime`: an admin chose it (create, import, reset), so the person must
 * replace it at the next sign-in; otherwise the person chose it themself.
 */
export async function setPassword(db: Kysely<Database>, personId: string, passwordHash: string, oneTime: boolean, now = Date.now()) {
  await db
    .updateTable('person')
    .set({ password_hash: passwordHash, must_change_password: oneTime ? 1 : 0, password_changed_at: oneTime ? null : now })
    .where('id', '=', personId)
    .execute()
}

/**
 * Revokes every live session of the person except `keepSessionId` (the one that changed the
 * password): their other phones are signed out at the next request.
 */
export async function revokeAllSessions(db: Kysely<Database>, personId: string, keepSessionId = '', now = Date.now()): Promise<number> {
  const result = await db
    .updateTable('session')
    .set({ revoked_at: now })
    .where('person_id', '=', personId)
    .where('id', '!=', keepSessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
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
      'person.must_change_password',
      'person.password_changed_at',
      'person.created_at',
      'person.privacy_accepted_version',
      'person.occupation',
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
    mustChangePassword: mustChangePassword(person),
    privacyAcceptedVersion: person.privacy_accepted_version ?? null,
    occupation: person.occupation ?? null,
  }
}
