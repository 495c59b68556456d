import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import LessonToolbar from '@/features/library/LessonToolbar.vue'
import { i18n, loadFeatureMessages } from '@/i18n/index.ts'

const { t } = i18n.global
const lesson = (id: string, title: string) => ({ id, title, body: `# ${title}\n\n正文。` })

// A phone with a Chinese voice unless a test says otherwise; useReadAloud itself is tested in readAloud.test.ts.
const voice = vi.hoisted(() => ({ speak: vi.fn(), stop: vi.fn(), has: true }))
vi.mock('@/features/library/useReadAloud.ts', async () => {
  const { ref } = await import('vue')
  return {
    useReadAloud: () => {
      const speaking = ref(false)
      const speak = (text: string) => ((speaking.value = true), voice.speak(text))
      const stop = () => ((speaking.value = false), voice.stop())
      return { available: ref(voice.has), noVoice: ref(!voice.has), speaking, speak, stop }
    },
  }
})

const mountToolbar = (text = lesson('l1', '三会一课'), hasRecording = false) =>
  mount(LessonToolbar, { props: { kind: 'lesson', text, hasRecording }, global: { plugins: [i18n] } })

describe('lesson toolbar', () => {
  beforeAll(() => loadFeatureMessages())
  beforeEach(async () => {
    voice.has = true
    localStorage.clear()
    setActivePinia(createPinia())
    await db.bookmarks.clear()
  })

  it('reads the title and text aloud, and stops when the page moves on to the next lesson', async () => {
    const wrapper = mountToolbar()
    await wrapper.get('[data-testid="read-aloud"]').trigger('click')
    expect(voice.speak).toHaveBeenCalledWith(expect.stringMatching(/^三会一课。.*正文/))
    expect(wrapper.get('[data-testid="read-aloud"]').text()).toBe(t('library.stopReading'))

    await wrapper.setProps({ text: lesson('l2', '主题党日') })
    expect(voice.stop).toHaveBeenCalled()
    expect(wrapper.get('[data-testid="read-aloud"]').text()).toBe(t('library.readAloud'))
  })

  it('stars the lesson on the phone, and a second tap takes the star away', async () => {
    const wrapper = mountToolbar()
    const star = () => wrapper.get('[data-testid="favourite"]')
    await star().trigger('click')
    await vi.waitFor(() => expect(star().attributes('aria-pressed')).toBe('true'))
    expect(star().text()).toBe(t('library.favourited'))
    expect(await db.bookmarks.get('lesson:l1')).toMatchObject({ kind: 'lesson', title: '三会一课' })

    await star().trigger('click')
    await vi.waitFor(() => expect(star().attributes('aria-pressed')).toBe('false'))
    expect(await db.bookmarks.count()).toBe(0)
  })

  it('makes the text larger step by step until the largest size, then A+ is off', async () => {
    const wrapper = mountToolbar()
    const larger = () => wrapper.get('[data-testid="font-larger"]')
    for (let i = 0; i < 10 && larger().attributes('disabled') === undefined; i++) await larger().trigger('click')
    await flushPromises()
    expect(larger().attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="font-smaller"]').attributes('disabled')).toBeUndefined()
  })

  describe('on a phone without a Chinese voice', () => {
    beforeEach(() => (voice.has = false))

    it('offers the recorded reading instead, and says why once', async () => {
      const first = mountToolbar(lesson('l1', '三会一课'), true)
      expect(first.find('[data-testid="read-aloud"]').exists()).toBe(false)
      await first.get('[data-testid="play-recording"]').trigger('click')
      expect(first.emitted('playRecording')).toHaveLength(1)
      expect(first.get('[data-testid="no-voice-note"]').text()).toBe(t('library.noVoiceRecording'))

      // The next lesson: still the recording, no second telling.
      const next = mountToolbar(lesson('l2', '主题党日'), true)
      expect(next.find('[data-testid="play-recording"]').exists()).toBe(true)
      expect(next.find('[data-testid="no-voice-note"]').exists()).toBe(false)
    })

    it('shows no reading button at all where there is no recording, and says so', () => {
      const wrapper = mountToolbar(lesson('l1', '三会一课'), false)
      expect(wrapper.find('[data-testid="read-aloud"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="play-recording"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="no-voice-note"]').text()).toBe(t('library.noVoice'))
    })
  })
})
