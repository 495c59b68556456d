/**
 * PROVISIONAL (media branch): who may use the course studio. The studio branch owns the real
 * helper; at merge its version replaces this file. Same signature, same refusal.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { grantsOf } from '../../shared/authz.ts'

const STUDIO_ROLES = new Set(['editor', 'supervisor', 'admin'])

/** Allows an editor, supervisor or admin (over `orgUnitId` when given); otherwise 403 NOT_EDITOR. */
export async function assertStudioAccess(db: Kysely<Database>, personId: string, orgUnitId?: string): Promise<void> {
  let path: string | undefined
  if (orgUnitId) {
    const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
    if (!unit) throw notFound('Organisation unit')
    path = unit.path
  }
  const grants = await grantsOf(db, personId)
  if (!grants.some((g) => STUDIO_ROLES.has(g.role) && (path === undefined || path.startsWith(g.path)))) {
    throw new ApiError(403, 'NOT_EDITOR', 'Only a course editor, supervisor or admin of this unit may do this.')
  }
}
