/**
 * Who may use the course studio for a unit: an editor (课件编辑) on that unit or one above it,
 * or a supervisor/admin there. The editor role ranks with members (ROLE_RANK), so it is checked
 * by name here and opens nothing else. Media and video uploads call this same function.
 */
import type { Kysely } from 'kysely'
import { ROLE_RANK } from '../../../src/protocol/auth.ts'
import type { Database } from '../../db/database.ts'
import { grantsOf, type Grant } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'

/** A grant that opens the studio on the units below it. */
export function opensStudio(g: Pick<Grant, 'role'>): boolean {
  return g.role === 'editor' || ROLE_RANK[g.role] >= ROLE_RANK.supervisor
}

export const notEditor = () => new ApiError(403, 'NOT_EDITOR', 'Only a course editor, supervisor or admin of this unit may do this in the studio.')

/**
 * Throws 403 NOT_EDITOR unless the person may use the studio on `orgUnitId` (or, without it, on
 * any unit); 404 when the unit does not exist.
 */
export async function assertStudioAccess(db: Kysely<Database>, personId: string, orgUnitId?: string): Promise<void> {
  const grants = (await grantsOf(db, personId)).filter(opensStudio)
  if (orgUnitId === undefined) {
    if (grants.length === 0) throw notEditor()
    return
  }
  const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit) throw notFound('Organisation unit')
  if (!grants.some((g) => unit.path.startsWith(g.path))) throw notEditor()
}
