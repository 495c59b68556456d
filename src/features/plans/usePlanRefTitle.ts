import { onMounted } from 'vue'
import { useLibraryStore } from '@/features/library/library.store.ts'
import { useQuizStore } from '@/features/quiz/quiz.store.ts'
import { startContentSync } from '@/features/sync/pull.ts'
import type { PlanItem } from '@/protocol/plans.ts'

/**
 * The name of the course, lesson ("course · lesson") or quiz a plan item refers to, read from the
 * library pulled onto this device; undefined for a free-text item or content not pulled yet.
 */
export function usePlanRefTitle() {
  const library = useLibraryStore()
  const quizzes = useQuizStore()
  onMounted(startContentSync)
  return ({ kind, refId }: Pick<PlanItem, 'kind' | 'refId'>): string | undefined => {
    if (!refId || kind === 'meeting') return undefined
    if (kind === 'quiz') return quizzes.quizzes.find((q) => q.id === refId)?.title
    const course = library.card(refId)?.course.title
    if (course) return course
    const lesson = library.lessons.find((l) => l.id === refId)
    const parent = lesson && library.card(lesson.courseId)?.course.title
    return lesson && (parent ? `${parent} · ${lesson.title}` : lesson.title)
  }
}
