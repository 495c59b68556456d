import { computed, onBeforeUnmount, ref } from 'vue'

/**
 * How long to wait for the device's voice list. Chromium fills it asynchronously and announces it
 * with `voiceschanged`; a phone without any voice may never announce anything.
 */
export const VOICE_WAIT_MS = 1500

/**
 * Read-aloud 朗读 with the device's own Chinese voice. `available` once a zh voice is found;
 * `noVoice` once the device has been asked and has none (many cheap Androids): the reader then
 * offers the lesson's recorded audio instead and says why, rather than a button that does nothing.
 */
export function useReadAloud(lang = 'zh-CN') {
  const status = ref<'checking' | 'voice' | 'none'>('checking')
  const speaking = ref(false)
  const synth = typeof window !== 'undefined' ? window.speechSynthesis : undefined
  let voice: SpeechSynthesisVoice | undefined

  const pickVoice = () => {
    const voices = synth?.getVoices() ?? []
    const base = lang.split('-')[0]!
    voice = voices.find((v) => v.lang.replace('_', '-') === lang) ?? voices.find((v) => v.lang.toLowerCase().startsWith(base))
    if (voice) status.value = 'voice'
    // A list that has arrived without a match is an answer; an empty one may still be loading.
    else if (voices.length > 0) status.value = 'none'
  }
  const giveUp = setTimeout(() => {
    if (status.value === 'checking') status.value = 'none'
  }, VOICE_WAIT_MS)
  if (synth) {
    pickVoice()
    synth.addEventListener?.('voiceschanged', pickVoice)
  } else status.value = 'none'

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
    clearTimeout(giveUp)
    stop()
    synth?.removeEventListener?.('voiceschanged', pickVoice)
  })
  return { available: computed(() => status.value === 'voice'), noVoice: computed(() => status.value === 'none'), speaking, speak, stop }
}
