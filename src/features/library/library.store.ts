import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { BookmarkRow, ProgressRow } from '@/db/db.ts'
import type { Assignment, Course } from '@/protocol/content.ts'
import { pullContent } from '@/features/sync/pull.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { addStudySeconds, libraryDb, markCompleted, markOpened, toggleBookmark, type LessonMeta } from './library.db.ts'

export interface CourseCard {
  course: Course
  lessons: LessonMeta[]
  completed: number
  /** 0–100 */
  percent: number
  assignment: Assignment | undefined
}

export const useLibraryStore = defineStore('library', () => {
  // Live from Dexie: a pull, a completed lesson or another tab updates every screen.
  const courses = liveRef(libraryDb.courses, [] as Course[])
  const lessons = liveRef(libraryDb.lessonMetas, [] as LessonMeta[])
  const assignments = liveRef(libraryDb.assignments, [] as Assignment[])
  const progress = liveRef(libraryDb.progress, [] as ProgressRow[])
  const bookmarks = liveRef(libraryDb.bookmarks, [] as BookmarkRow[])

  const progressById = computed(() => new Map(progress.value.map((p) => [p.lessonId, p])))
  const bookmarked = computed(() => new Set(bookmarks.value.map((b) => b.key)))

  const lessonsByCourse = computed(() => {
    const map = new Map<string, LessonMeta[]>()
    for (const l of lessons.value) {
      const list = map.get(l.courseId) ?? []
      list.push(l)
      map.set(l.courseId, list)
    }
    map.forEach((list) => list.sort((a, b) => a.order - b.order))
    return map
  })

  /** Every course with its progress; assigned courses first (soonest due), then by order. */
  const cards = computed<CourseCard[]>(() => {
    const assigned = new Map(assignments.value.map((a) => [a.courseId, a]))
    return courses.value
      .map((course) => {
        const list = lessonsByCourse.value.get(course.id) ?? []
        const completed = list.filter((l) => progressById.value.get(l.id)?.completedAt).length
        return {
          course,
          lessons: list,
          completed,
          percent: list.length ? Math.round((completed / list.length) * 100) : 0,
          assignment: assigned.get(course.id),
        }
      })
      .sort((a, b) => {
        if (!!a.assignment !== !!b.assignment) return a.assignment ? -1 : 1
        const due = (a.assignment?.dueAt ?? Infinity) - (b.assignment?.dueAt ?? Infinity)
        return due || a.course.order - b.course.order
      })
  })

  /** The lesson opened most recently that is not yet completed (or the last one opened). */
  const continueLesson = computed(() => {
    const recent = [...progress.value].sort((a, b) => b.lastOpenedAt - a.lastOpenedAt)
    const pick = recent.find((p) => !p.completedAt) ?? recent[0]
    if (!pick) return undefined
    const lesson = lessons.value.find((l) => l.id === pick.lessonId)
    const course = courses.value.find((c) => c.id === pick.courseId)
    return lesson && course ? { lesson, course, progress: pick } : undefined
  })

  function card(courseId: string): CourseCard | undefined {
    return cards.value.find((c) => c.course.id === courseId)
  }

  /** Neighbours of a lesson inside its course, for next / previous. */
  function neighbours(lessonId: string): { prev?: LessonMeta; next?: LessonMeta } {
    const lesson = lessons.value.find((l) => l.id === lessonId)
    const list = lesson ? (lessonsByCourse.value.get(lesson.courseId) ?? []) : []
    const i = list.findIndex((l) => l.id === lessonId)
    return { prev: i > 0 ? list[i - 1] : undefined, next: i >= 0 ? list[i + 1] : undefined }
  }

  const syncing = ref(false)
  /** Pulls new content now; offline it fails quietly and the phone keeps what it has. */
  async function sync(): Promise<void> {
    syncing.value = true
    try {
      await pullContent()
    } finally {
      syncing.value = false
    }
  }

  const isBookmarked = (kind: BookmarkRow['kind'], id: string) => bookmarked.value.has(`${kind}:${id}`)

  return {
    courses,
    lessons,
    assignments,
    progress,
    progressById,
    bookmarks,
    cards,
    continueLesson,
    card,
    neighbours,
    isBookmarked,
    syncing,
    sync,
    loadLesson: (id: string) => libraryDb.lesson(id),
    loadCourse: (id: string) => libraryDb.course(id),
    /** Offline-safe: progress and the "opened" study event are stored locally first. */
    openLesson: (lesson: LessonMeta) => markOpened(lesson),
    addSeconds: (lesson: LessonMeta, seconds: number) => addStudySeconds(lesson, seconds),
    complete: (lesson: LessonMeta) => markCompleted(lesson),
    toggleBookmark: (kind: BookmarkRow['kind'], id: string, title: string) => toggleBookmark(kind, id, title),
  }
})
