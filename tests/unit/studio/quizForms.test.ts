import { mount } from '@vue/test-utils'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import StudioBankForm from '@/features/studio/StudioBankForm.vue'
import StudioQuizForm from '@/features/studio/StudioQuizForm.vue'
import { emptyDraft } from '@/features/studio/studio.store.ts'
import { i18n, loadFeatureMessages, setLocale } from '@/i18n/index.ts'
import type { QuestionBankDraft, QuizDraft } from '@/protocol/studio.ts'

describe('the studio question bank and quiz forms', () => {
  beforeAll(() => loadFeatureMessages())
  beforeEach(() => setLocale('zh-CN'))

  it("shows the server's rule message under the answer it concerns, and ticks letters as the answer", async () => {
    const draft = reactive(emptyDraft('question_bank')) as QuestionBankDraft
    draft.questions[0]!.options = ['每季度', '每年']
    const problems = [{ field: 'questions.0.answer', message: 'answer "" is not one of the options A, B' }]
    const w = mount(StudioBankForm, { props: { draft, problems }, global: { plugins: [i18n] } })
    expect(w.get('[data-testid="studio-question-0"] [data-testid="studio-answer-problem"]').text()).toBe('answer "" is not one of the options A, B')
    await w.findAll('[data-testid="studio-question-0"] input[type="radio"]')[1]!.setValue(true)
    expect(draft.questions[0]!.answer).toEqual(['B'])
  })

  it('switches a quiz between fixed questions and a draw, and shows the pass-mark rule', async () => {
    const draft = reactive(emptyDraft('quiz')) as QuizDraft
    const w = mount(StudioQuizForm, { props: { draft, problems: [{ field: 'passMark', message: '"passMark" must be a percentage 0–100' }] }, global: { plugins: [i18n] } })
    expect(w.get('[data-testid="studio-pass-problem"]').text()).toContain('0–100')
    await w.get('[data-testid="studio-quiz-mode"]').setValue('draw')
    expect(draft.questions).toEqual({ draw: { bank: '', count: 5, tags: [] } })
  })
})
