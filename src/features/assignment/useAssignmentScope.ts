import { showFailToast } from 'vant'
import { computed, onMounted, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { RoleName } from '@/protocol/auth.ts'
import { errorMessageKey } from '@/shared/http.ts'
import { useAssignmentStore } from './assignment.store.ts'

/**
 * The unit an assignments screen shows (the highest-role unit first; a person holding `min` in
 * several units picks one) and the paged list for it, loaded when the screen mounts.
 */
export function useAssignmentScope(min: RoleName) {
  const { t } = useI18n()
  const store = useAssignmentStore()
  const scopes = computed(() => store.scopes(min))
  const scope = ref(scopes.value[0]?.orgUnitId ?? '')
  const scopeName = computed(() => scopes.value.find((s) => s.orgUnitId === scope.value)?.orgUnitName)
  const scopeActions = computed(() => scopes.value.map((s) => ({ name: s.orgUnitName, value: s.orgUnitId })))
  const choosing = ref(false)

  async function load(more = false): Promise<void> {
    await store.load(scope.value, more).catch((err: unknown) => showFailToast(t(errorMessageKey(err))))
  }
  function choose(orgUnitId: string): void {
    scope.value = orgUnitId
    void load()
  }
  onMounted(() => load())

  return { store, scopes, scope, scopeName, scopeActions, choosing, load, choose }
}
