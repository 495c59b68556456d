import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import PlanItemForm from '@/features/plans/PlanItemForm.vue'
import { i18n, loadFeatureMessages } from '@/i18n/index.ts'
import type { Course, Lesson } from '@/protocol/content.ts'
import type { Quiz } from '@/protocol/quiz.ts'

// The form pulls the library when it opens; here the library is already on the device.
vi.mock('@/features/sync/pull.ts', () => ({ startContentSync: () => undefined }))

const course = (id: string, title: string, order: number): Course => ({ id, title, kind: 'theme', category: 'org-life', description: '', cover: null, order, body: '', media: [] })
const lesson = (id: string, courseId: string, title: string, order: number): Lesson => ({ id, courseId, title, order, minutes: 5, audio: null, body: '' })
const quiz: Quiz = { id: 'quiz-anti-fraud', version: 1, title: '反诈小测试', description: '', questions: { fixed: [] }, timeLimitMinutes: null, passMark: 60, shuffleOptions: false }

/** Lets Dexie's live queries deliver. */
const settle = async () => {
  await new Promise((r) => setTimeout(r, 50))
  await flushPromises()
}

describe('the plan item form', () => {
  beforeAll(() => loadFeatureMessages())
  beforeEach(async () => {
    setActivePinia(createPinia())
    await Promise.all([db.courses.clear(), db.lessons.clear(), db.quizzes.clear()])
    await db.courses.bulkPut([course('three-meetings-one-lesson', '三会一课规范', 1), course('field-class-farming', '田间课堂：科学种植', 2)])
    await db.lessons.bulkPut([lesson('field-class-farming-01', 'field-class-farming', '测土配方施肥', 1), lesson('field-class-farming-02', 'field-class-farming', '病虫害绿色防控', 2)])
    await db.quizzes.put(quiz)
  })

  const open = async () => {
    const wrapper = mount(PlanItemForm, { props: { month: 3, saving: false }, global: { plugins: [i18n] }, attachTo: document.body })
    await settle()
    return wrapper
  }
  const titleInput = (w: Awaited<ReturnType<typeof open>>) => w.get('[data-testid="plan-title"] input').element as HTMLInputElement
  const pickFromSheet = async (w: Awaited<ReturnType<typeof open>>, name: string) => {
    await w.get('[data-testid="plan-pick-ref"]').trigger('click')
    await settle()
    const row = w.findAll('.van-action-sheet__item').find((b) => b.text() === name)
    expect(row, `${name} in the sheet`).toBeDefined()
    await row!.trigger('click')
    await settle()
  }
  const submitted = async (w: Awaited<ReturnType<typeof open>>) => {
    await w.get('form').trigger('submit')
    await settle()
    return w.emitted('submit')?.at(-1)?.[0]
  }

  it('fills the title and reference from a picked course and lesson, and saves them', async () => {
    const w = await open()
    await w.get('[data-testid="plan-kind-course"]').trigger('click')
    await settle()
    expect(titleInput(w).value).toBe('')
    await pickFromSheet(w, '田间课堂：科学种植')
    expect(w.get('[data-testid="plan-pick-ref"]').text()).toContain('田间课堂：科学种植')
    expect(titleInput(w).value).toBe('田间课堂：科学种植')
    await w.get('[data-testid="plan-lesson"]').setValue('field-class-farming-01')
    await settle()
    expect(titleInput(w).value).toBe('测土配方施肥')
    expect(await submitted(w)).toEqual({ month: 3, kind: 'course', refId: 'field-class-farming-01', title: '测土配方施肥', note: '' })
    w.unmount()
  })

  it('keeps a title the secretary typed when a quiz is picked afterwards', async () => {
    const w = await open()
    await w.get('[data-testid="plan-kind-quiz"]').trigger('click')
    await settle()
    await w.get('[data-testid="plan-title"] input').setValue('五月反诈宣传月小测')
    await pickFromSheet(w, '反诈小测试')
    expect(titleInput(w).value).toBe('五月反诈宣传月小测')
    expect(await submitted(w)).toMatchObject({ kind: 'quiz', refId: 'quiz-anti-fraud', title: '五月反诈宣传月小测' })
    w.unmount()
  })

  it('keeps the meeting type choice and sends no reference for a meeting', async () => {
    const w = await open()
    await w.get('[data-testid="plan-meeting-type"]').setValue('party_lecture')
    await settle()
    expect(titleInput(w).value).toBe('党课')
    expect(w.find('[data-testid="plan-pick-ref"]').exists()).toBe(false)
    expect(await submitted(w)).toEqual({ month: 3, kind: 'meeting', meetingType: 'party_lecture', title: '党课', note: '' })
    w.unmount()
  })
})
