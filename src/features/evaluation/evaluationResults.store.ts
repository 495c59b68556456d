import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { EvaluationComment, EvaluationSummary } from '@/protocol/evaluation.ts'
import { evaluationApi } from './evaluation.api.ts'

type By = 'course' | 'lecturer'
interface CommentsPage {
  items: EvaluationComment[]
  next: string | null
}

/** 教学评估 results for the party school and supervisors: read online, a page at a time. */
export const useEvaluationResultsStore = defineStore('evaluationResults', () => {
  const unitId = ref('')
  const by = ref<By>('course')
  const items = ref<EvaluationSummary[]>([])
  const next = ref<string | null>(null)
  const loading = ref(false)
  /** Comments opened under a course or lecturer, by its id. */
  const comments = ref<Record<string, CommentsPage>>({})
  // A page answering an older choice of unit or tab is dropped, so it cannot mix into the new list.
  let generation = 0

  /** First page for a unit and tab (more = the next page of the current list). */
  async function load(unit: string, tab: By, more = false): Promise<void> {
    const gen = more ? generation : ++generation
    if (!more) {
      unitId.value = unit
      by.value = tab
      items.value = []
      next.value = null
      comments.value = {}
    }
    loading.value = true
    try {
      const page = await evaluationApi.summaries(unit, tab, more ? next.value : null)
      if (gen !== generation) return
      items.value = more ? [...items.value, ...page.items] : page.items
      next.value = page.next
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  async function loadComments(id: string, more = false): Promise<void> {
    const gen = generation
    const before = comments.value[id]
    const page = await evaluationApi.comments(unitId.value, by.value, id, more ? before?.next : null)
    if (gen !== generation) return
    comments.value = { ...comments.value, [id]: { items: more && before ? [...before.items, ...page.items] : page.items, next: page.next } }
  }

  function closeComments(id: string): void {
    const { [id]: _closed, ...rest } = comments.value
    comments.value = rest
  }

  return { unitId, by, items, next, loading, comments, load, loadComments, closeComments }
})
