/**
 * Authorisation shared by the administration routes. Every check reads the actor's roles from
 * the database (grantsOf) and compares subtree paths; the client's claims are never used.
 */
import type { Kysely } from 'kysely'
import { ROLE_RANK, type RoleName } from '../../../src/protocol/auth.ts'
import type { Database, OrgUnitRow } from '../../db/database.ts'
import { allows, grantsOf, requireOutranks, type Grant } from '../../shared/authz.ts'
import { ApiError, forbidden, notFound } from '../../shared/errors.ts'
import type { SessionContext } from '../auth/auth.repository.ts'

export async function findUnit(db: Kysely<Database>, id: string): Promise<OrgUnitRow | undefined> {
  return db.selectFrom('org_unit').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The actor's grants, with a check that throws 404/403 like authorizeOrgUnit. */
export async function actorOf(db: Kysely<Database>, auth: SessionContext) {
  const grants: Grant[] = await grantsOf(db, auth.personId)
  return {
    auth,
    grants,
    /** 404 when the unit is unknown, 403 when the actor lacks `minRole` over it. */
    async unit(id: string, minRole: RoleName, what = 'Organisation unit'): Promise<OrgUnitRow> {
      const unit = await findUnit(db, id)
      if (!unit) throw notFound(what)
      this.require(unit.path, minRole)
      return unit
    },
    require(path: string, minRole: RoleName): void {
      if (!allows(grants, path, minRole)) throw forbidden()
    },
    can(path: string, minRole: RoleName): boolean {
      return allows(grants, path, minRole)
    },
    /** 403 unless the actor outranks every role the person holds (see requireOutranks). */
    async requireOver(personId: string): Promise<void> {
      await requireOutranks(db, { personId: auth.personId, grants }, personId)
    },
    /** 403 unless the actor holds `minRole` somewhere (for routes checked per row or per item). */
    requireAnywhere(minRole: RoleName): void {
      if (!grants.some((g) => ROLE_RANK[g.role] >= ROLE_RANK[minRole])) throw forbidden()
    },
  }
}
export type Actor = Awaited<ReturnType<typeof actorOf>>

export const conflict = (code: string, message: string, field?: string) => new ApiError(409, code, message, field)

/** A retired unit takes no new people or sub-units. */
export function requireActiveUnit(unit: OrgUnitRow, field: string): void {
  if (unit.retired_at) throw conflict('UNIT_RETIRED', 'This organisation unit has been retired.', field)
}

/** Keyset cursor over a page's last sort key (opaque to clients). */
export function encodeKey(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeKey<T extends unknown[]>(cursor: string | undefined, arity: number): T | undefined {
  if (cursor === undefined) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    if (Array.isArray(value) && value.length === arity) return value as T
  } catch {
    // reported below
  }
  throw new ApiError(400, 'VALIDATION', 'querystring.cursor is not a cursor this server gave', 'querystring.cursor')
}
