import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { useReadAloud } from '@/features/library/useReadAloud.ts'

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

  it('is hidden when the device has no Chinese voice', () => {
    const { api, speak } = withVoices([{ lang: 'en-US', name: 'en' }])
    expect(api.available.value).toBe(false)
    api.speak('党章是什么')
    expect(speak).not.toHaveBeenCalled()
  })
})
