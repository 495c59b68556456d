import { defineStore } from 'pinia'
import { computed } from 'vue'
import { liveRef } from '@/shared/liveRef.ts'
import { assignedDb, type AssignedQuiz, type AssignedTodo } from './assigned.db.ts'
import { urgency } from './assigned.ts'

/** The member's own assignments, live from Dexie (a pull, a submitted quiz or a finished lesson updates them). */
export const useAssignedStore = defineStore('assigned', () => {
  const quizzes = liveRef(assignedDb.quizzes, [] as AssignedQuiz[])
  const todos = liveRef(assignedDb.todos, [] as AssignedTodo[])

  /** What the home page reminds of: overdue or due within three days. */
  function reminders(now = Date.now()) {
    return todos.value.map((t) => ({ ...t, urgency: urgency(t.dueAt, now) })).filter((t) => t.urgency !== 'later')
  }
  const retrainingCount = computed(() => quizzes.value.filter((q) => q.state === 'retraining').length)

  return { quizzes, todos, reminders, retrainingCount }
})
