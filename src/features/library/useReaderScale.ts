import { ref } from 'vue'
import { loadPreference, savePreference } from '@/shared/preferences.ts'

const MIN = 0.85
const MAX = 1.6
const STEP = 0.15

/** Reader text size, on top of elder mode's scale; remembered on the phone. */
const scale = ref(Math.min(MAX, Math.max(MIN, Number(loadPreference('readerScale')) || 1)))

export function useReaderScale() {
  const set = (v: number) => {
    scale.value = Math.round(Math.min(MAX, Math.max(MIN, v)) * 100) / 100
    savePreference('readerScale', String(scale.value))
  }
  return { scale, min: MIN, max: MAX, smaller: () => set(scale.value - STEP), larger: () => set(scale.value + STEP) }
}
