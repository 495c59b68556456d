import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'
import { ROLE_RANK, type RoleGrant, type RoleName } from '@/protocol/auth.ts'
import type { AssignmentCreate, AssignmentResults, AssignmentView } from '@/protocol/assignment.ts'
import { assignmentApi } from './assignment.api.ts'

/**
 * The secretaries' and leaders' side of assignments. Online: these screens read and write the
 * server directly (a secretary at a desk or on a phone with signal), never the outbox.
 */
export const useAssignmentStore = defineStore('assignments', () => {
  const auth = useAuthStore()

  /** The units where the person holds `min` or higher, highest role first: the screens' scopes. */
  function scopes(min: RoleName): RoleGrant[] {
    const grants = (auth.profile?.roles ?? []).filter((r) => ROLE_RANK[r.role] >= ROLE_RANK[min])
    return [...grants].sort((a, b) => ROLE_RANK[b.role] - ROLE_RANK[a.role])
  }

  const unitId = ref<string>()
  const items = ref<AssignmentView[]>([])
  const next = ref<string | null>(null)
  const loading = ref(false)
  // Answers to a list read started before a later read or a create are stale: dropped, so a
  // slow first page cannot hide the assignment just made.
  let listGeneration = 0

  /** First page (or the next one) of assignments that concern the unit. */
  async function load(orgUnitId: string, more = false): Promise<void> {
    const generation = ++listGeneration
    loading.value = true
    try {
      const page = await assignmentApi.list(orgUnitId, more ? next.value : null)
      if (generation !== listGeneration) return
      items.value = more ? [...items.value, ...page.items] : page.items
      next.value = page.next
      unitId.value = orgUnitId
    } finally {
      loading.value = false
    }
  }

  /** The id is made here, so pressing "assign" again after a lost answer stores it once. */
  async function create(input: Omit<AssignmentCreate, 'id'>, id = uuidv7()): Promise<AssignmentView> {
    const created = await assignmentApi.create({ ...input, id })
    listGeneration++
    items.value = [created, ...items.value.filter((a) => a.id !== created.id)]
    return created
  }

  async function cancel(id: string): Promise<void> {
    await assignmentApi.cancel(id)
    items.value = items.value.filter((a) => a.id !== id)
  }

  const results = ref<AssignmentResults>()
  async function loadResults(id: string, orgUnitId: string, more = false): Promise<void> {
    loading.value = true
    try {
      const page = await assignmentApi.results(id, orgUnitId, more ? results.value?.next : null)
      results.value = more && results.value ? { ...page, items: [...results.value.items, ...page.items] } : page
    } finally {
      loading.value = false
    }
  }
  const passRate = computed(() => {
    const s = results.value?.summary
    return s && s.done > 0 ? Math.round((100 * s.passed) / s.done) : null
  })

  /** A unit and the units right under it: where an assignment can be aimed. */
  const unitChoices = async (orgUnitId: string) => {
    const { unit, children } = await assignmentApi.unit(orgUnitId)
    return [unit, ...children]
  }
  /** The people under a unit, for naming them (the first 200: a branch, not a district). */
  const memberChoices = async (orgUnitId: string) => (await assignmentApi.members(orgUnitId)).items

  return { scopes, unitId, items, next, loading, load, create, cancel, results, loadResults, passRate, unitChoices, memberChoices }
})
