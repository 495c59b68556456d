import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { useReadAloud, VOICE_WAIT_MS } from '@/features/library/useReadAloud.ts'

function withVoices(voices: { lang: string; name: string }[]) {
  const speak = vi.fn()
  vi.stubGlobal('speechSynthesis', {
    getVoices: () => voices,
    speak,
    cancel: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  })
  vi.stubGlobal(
    'SpeechSynthesisUtterance',
    class {
      voice: unknown
      lang = ''
      rate = 1
      onend: unknown
      onerror: unknown
      constructor(readonly text: string) {}
    },
  )
  let api!: ReturnType<typeof useReadAloud>
  mount(defineComponent({ setup: () => ((api = useReadAloud('zh-CN')), () => h('div')) }))
  return { api, speak }
}

describe('read-aloud', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('is offered and speaks with a Chinese voice when the device has one', () => {
    const { api, speak } = withVoices([{ lang: 'en-US', name: 'en' }, { lang: 'zh_CN', name: 'Tingting' }])
    expect(api.available.value).toBe(true)
    api.speak('党章是什么')
    expect(speak).toHaveBeenCalledTimes(1)
    expect(speak.mock.calls[0]![0]).toMatchObject({ text: '党章是什么', voice: { name: 'Tingting' } })
    expect(api.speaking.value).toBe(true)
  })

  it('says the device has no Chinese voice as soon as its voice list lacks one', () => {
    const { api, speak } = withVoices([{ lang: 'en-US', name: 'en' }])
    expect(api.available.value).toBe(false)
    expect(api.noVoice.value).toBe(true)
    api.speak('党章是什么')
    expect(speak).not.toHaveBeenCalled()
  })

  it('waits for a voice list that is still loading, and gives up on a phone that never sends one', () => {
    vi.useFakeTimers()
    try {
      const { api } = withVoices([])
      expect(api.available.value).toBe(false)
      expect(api.noVoice.value).toBe(false)
      vi.advanceTimersByTime(VOICE_WAIT_MS)
      expect(api.noVoice.value).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})
