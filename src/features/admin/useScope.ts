import { computed } from 'vue'
import type { RoleName } from '@/protocol/auth.ts'
import { useAdminStore } from './admin.store.ts'

/** The unit an administration page works on, shared between pages, and the units to choose from. */
export function useScope(min: RoleName) {
  const store = useAdminStore()
  const options = computed(() => store.scopes(min))
  const scope = computed(() => store.scopeFor(min))
  return { options, scope, choose: store.choose }
}
