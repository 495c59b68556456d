import type { RoleGrant } from '@/protocol/auth.ts'
import { ROLE_RANK } from '@/protocol/auth.constants.ts'

/** Units whose studio this person opens: editor grants, and supervisor/admin ones (district, township), each once. */
export function studioUnits(roles: RoleGrant[] | undefined): RoleGrant[] {
  const seen = new Set<string>()
  return (roles ?? []).filter((r) => (r.role === 'editor' || ROLE_RANK[r.role] >= ROLE_RANK.supervisor) && !seen.has(r.orgUnitId) && seen.add(r.orgUnitId))
}
