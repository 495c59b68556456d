/**
 * The one authorisation helper every route uses. A person may act only inside the organisation
 * subtrees where they hold a role of at least the rank the action needs. Roles come from the
 * database on each request: the client's claims about role or org are never read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { ROLE_RANK as RANK, type RoleName } from '../../src/protocol/auth.ts'
import type { Database } from '../db/database.ts'
import { findSession, type AuthContext, type SessionContext } from '../features/auth/auth.repository.ts'
import { ApiError, forbidden, notFound, unauthenticated } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    auth: SessionContext | null
  }
}

/**
 * The API routes anyone may call. Every other route under /api/ needs a session, checked before
 * the body is read or validated, so an anonymous caller learns nothing about a route's fields
 * and costs no parsing. The PWA's files and /media/ lie outside /api/ and stay public.
 */
export const PUBLIC_API_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/health',
  'GET /api/ready',
  // Guarded by its own METRICS_TOKEN or a private address (features/health/metrics.routes.ts).
  'GET /api/metrics',
  'GET /api/openapi.json',
  'POST /api/v1/auth/login',
])

/** The routes a person with a one-time password may use: everything else waits for the new password. */
const OPEN_WHILE_PASSWORD_CHANGE_REQUIRED = new Set(['/api/v1/auth/password', '/api/v1/auth/logout', '/api/v1/auth/me'])

/** How long a password entry (sign-in or step-up) allows people/org/role changes, resets and exports. */
export const STEP_UP_WINDOW_MS = 15 * 60 * 1000

/** Reads the bearer token on every /api request and answers 401 on a guarded route without a session. */
export function registerAuthentication(app: FastifyInstance, db: Kysely<Database>): void {
  app.decorateRequest('auth', null)
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    // The metrics scraper's bearer token is not a session: no lookup, and a scrape works while the database is down.
    if (header?.startsWith('Bearer ') && request.url.startsWith('/api/') && request.routeOptions.url !== '/api/metrics') {
      request.auth = (await findSession(db, header.slice(7).trim())) ?? null
    }
    if (!request.auth && needsSession(request)) throw unauthenticated()
    if (request.auth?.mustChangePassword && !OPEN_WHILE_PASSWORD_CHANGE_REQUIRED.has(request.routeOptions.url ?? '')) {
      throw new ApiError(403, 'PASSWORD_CHANGE_REQUIRED', 'Set a new password first (the one you were given works once).')
    }
  })
}

function needsSession(request: FastifyRequest): boolean {
  // No route (an unknown URL) leaves the 404 to the not-found handler.
  const route = request.routeOptions.url
  if (!route?.startsWith('/api/')) return false
  const method = request.method === 'HEAD' ? 'GET' : request.method
  return !PUBLIC_API_ROUTES.has(`${method} ${route}`)
}

export function requireAuth(request: FastifyRequest): SessionContext {
  if (!request.auth) throw unauthenticated()
  return request.auth
}

/**
 * Step-up: phones keep sessions for months (members study offline for weeks), but changing
 * people, units, roles or passwords and exporting personal data need the password entered on
 * this session within the last 15 minutes. Call after authorisation, before anything is written
 * or read out, so the dialog appears only for an action the person may take.
 */
export function requireRecentSignIn(auth: SessionContext, now = Date.now()): void {
  if (now - auth.verifiedAt > STEP_UP_WINDOW_MS) {
    throw new ApiError(403, 'STEP_UP_REQUIRED', 'Enter your password again to continue.')
  }
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
