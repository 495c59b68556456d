import { computed } from 'vue'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { ROLE_RANK, type RoleName } from '@/protocol/auth.ts'

/** The units where the signed-in person holds `minRole` or higher: what their tools may open. */
export function useLeaderUnits(minRole: RoleName) {
  const auth = useAuthStore()
  return computed(() => {
    const seen = new Set<string>()
    return (auth.profile?.roles ?? [])
      .filter((r) => ROLE_RANK[r.role] >= ROLE_RANK[minRole] && !seen.has(r.orgUnitId) && seen.add(r.orgUnitId))
      .map((r) => ({ id: r.orgUnitId, name: r.orgUnitName, kind: r.orgKind }))
  })
}
