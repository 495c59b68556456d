import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { ROLE_RANK, type RoleGrant, type RoleName } from '@/protocol/auth.ts'
import type { ImportCheck, ImportEvent } from '@/protocol/admin.ts'
import { errorMessageKey, HttpError } from '@/shared/http.ts'
import { runImport } from './admin.api.ts'

/** API codes of this feature with their own message (admin.errors.*); others use errors.*. */
const ADMIN_CODES = [
  'PHONE_EXISTS',
  'NAME_TAKEN',
  'UNIT_HAS_MEMBERS',
  'UNIT_RETIRED',
  'MOVE_INTO_ITSELF',
  'KIND_MISMATCH',
  'NO_CHILD_KIND',
  'ROLE_KIND',
  'OWN_ROLES',
  'OWN_ACCOUNT',
  'PERSON_INACTIVE',
  'PERSON_ERASED',
  'CSV_COLUMNS',
  'CSV_EMPTY',
  'TOO_MANY_ROWS',
  'PAYLOAD_TOO_LARGE',
  'NOT_SERVED',
  'LECTURER_RETIRED',
  'ALREADY_DECIDED',
  'OUTRANKED',
  'FORBIDDEN',
]

export function adminErrorKey(err: unknown): string {
  return err instanceof HttpError && ADMIN_CODES.includes(err.code) ? `admin.errors.${err.code}` : errorMessageKey(err)
}

/**
 * Which organisation unit the administration screens work on. Online-only screens: nothing here
 * is kept on the device, since people data changes under many hands and must be current.
 */
export const useAdminStore = defineStore('admin', () => {
  const auth = useAuthStore()
  const scopeId = ref<string>()

  /** Units where the signed-in person holds `min` or higher, topmost first (roles come path-ordered). */
  function scopes(min: RoleName): RoleGrant[] {
    const seen = new Set<string>()
    return (auth.profile?.roles ?? []).filter((r) => ROLE_RANK[r.role] >= ROLE_RANK[min] && !seen.has(r.orgUnitId) && seen.add(r.orgUnitId))
  }

  /** The chosen unit if the person may use it at `min`, else their topmost such unit. */
  function scopeFor(min: RoleName): RoleGrant | undefined {
    const options = scopes(min)
    return options.find((o) => o.orgUnitId === scopeId.value) ?? options[0]
  }

  function choose(id: string): void {
    scopeId.value = id
  }

  /** Streams the import; resolves with the check's rows when the server still finds problems. */
  function importMembers(csv: string, onEvent: (e: ImportEvent) => void): Promise<ImportCheck | undefined> {
    return runImport(csv, auth.token, onEvent)
  }

  return { scopeId, scopes, scopeFor, choose, importMembers }
})
