import { onBeforeUnmount, ref } from 'vue'

/**
 * Read-aloud 朗读 with the device's own Chinese voice. `available` stays false when the device
 * has no zh voice (many cheap Androids), and the button is hidden then.
 */
export function useReadAloud(lang = 'zh-CN') {
  const available = ref(false)
  const speaking = ref(false)
  const synth = typeof window !== 'undefined' ? window.speechSynthesis : undefined
  let voice: SpeechSynthesisVoice | undefined

  const pickVoice = () => {
    const voices = synth?.getVoices() ?? []
    const base = lang.split('-')[0]!
    voice = voices.find((v) => v.lang.replace('_', '-') === lang) ?? voices.find((v) => v.lang.toLowerCase().startsWith(base))
    available.value = !!voice
  }
  if (synth) {
    pickVoice()
    synth.addEventListener?.('voiceschanged', pickVoice)
  }

  function speak(text: string): void {
    if (!synth || !voice) return
    synth.cancel()
    const u = new SpeechSynthesisUtterance(text)
    u.voice = voice
    u.lang = voice.lang
    u.rate = 0.9
    u.onend = u.onerror = () => (speaking.value = false)
    speaking.value = true
    synth.speak(u)
  }

  function stop(): void {
    synth?.cancel()
    speaking.value = false
  }

  onBeforeUnmount(() => {
    stop()
    synth?.removeEventListener?.('voiceschanged', pickVoice)
  })
  return { available, speaking, speak, stop }
}
