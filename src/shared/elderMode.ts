import { ref } from 'vue'
import { loadPreference, savePreference } from './preferences.ts'

/** Elder mode scales every text and tap target through CSS variables on <html> (see styles/). */
export const elderMode = ref(loadPreference('elderMode') === '1')

function apply(on: boolean): void {
  document.documentElement.classList.toggle('elder-mode', on)
}
apply(elderMode.value)

export function setElderMode(on: boolean): void {
  elderMode.value = on
  savePreference('elderMode', on ? '1' : '0')
  apply(on)
}
