/**
 * Provisional (issue 16 branch): who may use the studio. The studio feature replaces this file
 * with its own; the signature stays. Editors, supervisors and admins may; a unit, when given,
 * must lie in the subtree where they hold that role.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { grantsOf } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'

const STUDIO_ROLES: ReadonlySet<string> = new Set(['editor', 'supervisor', 'admin'])

export async function assertStudioAccess(db: Kysely<Database>, personId: string, orgUnitId?: string): Promise<void> {
  const grants = (await grantsOf(db, personId)).filter((g) => STUDIO_ROLES.has(g.role))
  const path = orgUnitId ? (await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst())?.path : undefined
  if (!grants.some((g) => !orgUnitId || path?.startsWith(g.path))) {
    throw new ApiError(403, 'NOT_EDITOR', 'Only editors, supervisors and admins may use the studio.')
  }
}
