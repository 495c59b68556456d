/**
 * The one authorisation helper every route uses. A person may act only inside the organisation
 * subtrees where they hold a role of at least the rank the action needs. Roles come from the
 * database on each request: the client's claims about role or org are never read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { ROLE_RANK as RANK, type RoleName } from '../../src/protocol/auth.ts'
import type { Database } from '../db/database.ts'
import { findSession, type AuthContext } from '../features/auth/auth.repository.ts'
import { ApiError, forbidden, notFound, unauthenticated } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null
  }
}

/** Reads the bearer token on every /api request; routes decide whether a session is required. */
export function registerAuthentication(app: FastifyInstance, db: Kysely<Database>): void {
  app.decorateRequest('auth', null)
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (!header?.startsWith('Bearer ') || !request.url.startsWith('/api/')) return
    request.auth = (await findSession(db, header.slice(7).trim())) ?? null
  })
}

export function requireAuth(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthenticated()
  return request.auth
}

export interface Grant {
  role: RoleName
  path: string
}

export async function grantsOf(db: Kysely<Database>, personId: string): Promise<Grant[]> {
  return db
    .selectFrom('role')
    .innerJoin('org_unit', 'org_unit.id', 'role.org_unit_id')
    .select(['role.role', 'org_unit.path'])
    .where('role.person_id', '=', personId)
    .execute()
}

export function allows(grants: Grant[], targetPath: string, minRole: RoleName): boolean {
  return grants.some((g) => RANK[g.role] >= RANK[minRole] && targetPath.startsWith(g.path))
}

/** The highest rank the grants give over the unit at `path` (-1 when none reaches it). */
export function rankOver(grants: Grant[], path: string): number {
  return Math.max(-1, ...grants.filter((g) => path.startsWith(g.path)).map((g) => RANK[g.role]))
}

/**
 * The rule against escalation, for every action on a person: the actor must outrank each role
 * the person holds, over the unit where they hold it. Being a secretary over someone's group is
 * not enough when that someone also supervises a township elsewhere: resetting their password
 * would hand the secretary that township. So peers (equal rank) cannot act on each other either;
 * acting on oneself is the caller's own rule (no one raises their own roles).
 */
export async function requireOutranks(db: Kysely<Database>, actor: { personId: string; grants: Grant[] }, personId: string): Promise<void> {
  if (personId === actor.personId) return
  const held = await grantsOf(db, personId)
  if (!held.every((g) => rankOver(actor.grants, g.path) > RANK[g.role])) {
    throw new ApiError(403, 'OUTRANKED', 'This person holds a role as high as yours, or one outside your units; ask someone above both of you.')
  }
}

/**
 * Throws 404 when the unit does not exist and 403 when it lies outside every subtree where the
 * person holds `minRole` or higher. Returns the unit's path for subtree queries.
 */
export async function authorizeOrgUnit(
  db: Kysely<Database>,
  auth: AuthContext,
  orgUnitId: string,
  minRole: RoleName,
): Promise<string> {
  const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit) throw notFound('Organisation unit')
  if (!allows(await grantsOf(db, auth.personId), unit.path, minRole)) throw forbidden()
  return unit.path
}

/** Upper bound of a subtree range scan: ids are [0-9a-f-], all below '~'. */
export function subtreeEnd(path: string): string {
  return `${path}~`
}
