import { computed, onMounted, type Ref } from 'vue'
import { useLibraryStore } from '@/features/library/library.store.ts'
import { useQuizStore } from '@/features/quiz/quiz.store.ts'
import { startContentSync } from '@/features/sync/pull.ts'

/**
 * Courses or quizzes to pick from, as action-sheet rows, out of the phone's own pulled library so
 * a picker works at once (and offline). Shared by the assignment form and the plan item form.
 */
export function useContentChoices(kind: Readonly<Ref<string>>) {
  const library = useLibraryStore()
  const quizzes = useQuizStore()
  // Leaders' pages sit outside the tab layout: pull here too, so a secretary who opens one
  // directly (a bookmark on a desktop) gets the library to pick from.
  onMounted(startContentSync)
  // A fixed order, so rows do not jump under a finger while a pull fills or reorders the lists with
  // the sheet open: courses by catalogue order (not the study tab's assigned-first order),
  // quizzes by title (not Dexie key order).
  return computed(() =>
    kind.value === 'course'
      ? [...library.cards].sort((a, b) => a.course.order - b.course.order).map((c) => ({ name: c.course.title, value: c.course.id }))
      : kind.value === 'quiz'
        ? [...quizzes.quizzes]
            .sort((a, b) => a.title.localeCompare(b.title, 'zh-CN') || a.id.localeCompare(b.id))
            .map((q) => ({ name: q.title, value: q.id }))
        : [],
  )
}
