import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { db } from '@/db/db.ts'
import { useLibraryStore } from '@/features/library/library.store.ts'
import { useStudyTimer } from '@/features/library/useStudyTimer.ts'
import type { Course, Lesson } from '@/protocol/content.ts'

const course = (id: string, order: number): Course => ({ id, title: id, kind: 'theme', category: 'law', description: '', cover: null, order, body: '', media: [] })
const lesson = (id: string, courseId: string, order: number): Lesson => ({ id, courseId, title: id, order, minutes: 5, audio: null, body: '正文' })

/** Lets Dexie's live queries deliver their next value. */
const settle = () => new Promise((r) => setTimeout(r, 30))

describe('library store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await Promise.all([db.courses.clear(), db.lessons.clear(), db.progress.clear(), db.outbox.clear(), db.assignments.clear()])
    await db.courses.bulkPut([course('c1', 1), course('c2', 2)])
    await db.lessons.bulkPut([lesson('l1', 'c1', 1), lesson('l2', 'c1', 2), lesson('m1', 'c2', 1)])
  })

  it('lists assigned courses first and counts progress from completed lessons', async () => {
    await db.assignments.put({ id: 'a', courseId: 'c2', dueAt: null })
    const library = useLibraryStore()
    await settle()
    expect(library.cards.map((c) => c.course.id)).toEqual(['c2', 'c1'])
    await library.complete(library.lessons.find((l) => l.id === 'l1')!)
    await settle()
    expect(library.card('c1')).toMatchObject({ completed: 1, percent: 50 })
  })

  it('records opening, study time and completion as study events in the outbox with the progress', async () => {
    const library = useLibraryStore()
    await settle()
    const l1 = library.lessons.find((l) => l.id === 'l1')!
    await library.openLesson(l1)
    await library.addSeconds(l1, 42)
    await library.complete(l1)
    await library.complete(l1) // a second tap adds nothing
    const events = (await db.outbox.toArray()).map((r) => [r.kind, r.payload])
    expect(events).toEqual([
      ['study_event', { lessonId: 'l1', courseId: 'c1', kind: 'opened', seconds: 0 }],
      ['study_event', { lessonId: 'l1', courseId: 'c1', kind: 'studied', seconds: 42 }],
      ['study_event', { lessonId: 'l1', courseId: 'c1', kind: 'completed', seconds: 0 }],
    ])
    expect(await db.progress.get('l1')).toMatchObject({ seconds: 42, completedAt: expect.any(Number) })
    await settle()
    expect(library.continueLesson?.lesson.id).toBe('l1')
    expect(library.neighbours('l1')).toMatchObject({ prev: undefined, next: { id: 'l2' } })
  })
})

describe('study timer', () => {
  let visibility: DocumentVisibilityState = 'visible'
  beforeEach(() => {
    vi.useFakeTimers()
    visibility = 'visible'
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('counts only while the page is visible and hands the time over when hidden', async () => {
    const flushed: number[] = []
    const Probe = defineComponent({
      setup() {
        useStudyTimer((s) => flushed.push(s))
        return () => h('div')
      },
    })
    const wrapper = mount(Probe)
    await nextTick()
    vi.advanceTimersByTime(10_000)
    visibility = 'hidden' // screen locked
    document.dispatchEvent(new Event('visibilitychange'))
    expect(flushed).toEqual([10])
    vi.advanceTimersByTime(60_000)
    visibility = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    vi.advanceTimersByTime(5_000)
    wrapper.unmount()
    expect(flushed).toEqual([10, 5])
  })
})
