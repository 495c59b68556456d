/**
 * The study library on the phone: pulled courses and lessons, the member's own progress and
 * favourites, and study events waiting for the outbox. Everything here works offline.
 */
import { db, type BookmarkRow, type ProgressRow } from '@/db/db.ts'
import type { Assignment, Course, Lesson } from '@/protocol/content.ts'
import type { StudyEventPayload } from '@/protocol/sync.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'

export type LessonMeta = Omit<Lesson, 'body'>

export const libraryDb = {
  courses: (): Promise<Course[]> => db.courses.toArray(),
  /** Lessons without their text, for lists and progress. */
  lessonMetas: async (): Promise<LessonMeta[]> =>
    (await db.lessons.toArray()).map(({ body: _body, ...meta }) => meta),
  lesson: (id: string) => db.lessons.get(id),
  course: (id: string) => db.courses.get(id),
  assignments: (): Promise<Assignment[]> => db.assignments.toArray(),
  progress: (): Promise<ProgressRow[]> => db.progress.toArray(),
  bookmarks: (): Promise<BookmarkRow[]> => db.bookmarks.orderBy('createdAt').reverse().toArray(),
}

/**
 * Records a study event for the training record through the outbox (kind `study_event`), in the
 * same transaction as the local progress: the screen and the record never disagree, even
 * offline or after a crash. The push engine carries it to the server later.
 */
async function addEvent(payload: StudyEventPayload): Promise<void> {
  await enqueue(db, 'study_event', payload)
}

export async function markOpened(lesson: LessonMeta, now = Date.now()): Promise<void> {
  await db.transaction('rw', [db.progress, db.outbox], async () => {
    const old = await db.progress.get(lesson.id)
    await db.progress.put({ lessonId: lesson.id, courseId: lesson.courseId, seconds: old?.seconds ?? 0, completedAt: old?.completedAt ?? null, lastOpenedAt: now })
    await addEvent({ lessonId: lesson.id, courseId: lesson.courseId, kind: 'opened', seconds: 0 })
  })
}

/** Adds seconds studied while the lesson was on screen. */
export async function addStudySeconds(lesson: LessonMeta, seconds: number, now = Date.now()): Promise<void> {
  if (seconds <= 0) return
  await db.transaction('rw', [db.progress, db.outbox], async () => {
    const old = await db.progress.get(lesson.id)
    await db.progress.put({
      lessonId: lesson.id,
      courseId: lesson.courseId,
      seconds: (old?.seconds ?? 0) + seconds,
      completedAt: old?.completedAt ?? null,
      lastOpenedAt: old?.lastOpenedAt ?? now,
    })
    await addEvent({ lessonId: lesson.id, courseId: lesson.courseId, kind: 'studied', seconds: Math.min(seconds, 86_400) })
  })
}

export async function markCompleted(lesson: LessonMeta, now = Date.now()): Promise<void> {
  await db.transaction('rw', [db.progress, db.outbox], async () => {
    const old = await db.progress.get(lesson.id)
    if (old?.completedAt) return
    await db.progress.put({ lessonId: lesson.id, courseId: lesson.courseId, seconds: old?.seconds ?? 0, completedAt: now, lastOpenedAt: old?.lastOpenedAt ?? now })
    await addEvent({ lessonId: lesson.id, courseId: lesson.courseId, kind: 'completed', seconds: 0 })
  })
}

export async function toggleBookmark(kind: BookmarkRow['kind'], id: string, title: string, now = Date.now()): Promise<boolean> {
  const key = `${kind}:${id}`
  return db.transaction('rw', db.bookmarks, async () => {
    if (await db.bookmarks.get(key)) {
      await db.bookmarks.delete(key)
      return false
    }
    await db.bookmarks.put({ key, kind, id, title, createdAt: now })
    return true
  })
}
