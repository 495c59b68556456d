/**
 * Separate consent (PIPL art. 14, 29) for what the phone itself can reach: photos and location.
 * Asked at first use, never on page load; the answer stays on this phone with the display
 * preferences and can be changed under 我的. Refusing only switches that one thing off.
 */
import { showConfirmDialog } from 'vant'
import { nextTick, ref } from 'vue'
import { i18n } from '@/i18n/index.ts'
import { loadPreference, savePreference } from './preferences.ts'

export type ConsentKind = 'photos' | 'location'
export type ConsentAnswer = 'allowed' | 'refused'

const KEYS = { photos: 'consentPhotos', location: 'consentLocation' } as const

function read(kind: ConsentKind): ConsentAnswer | null {
  const value = loadPreference(KEYS[kind])
  return value === 'allowed' || value === 'refused' ? value : null
}

/** The answers as reactive state, so 我的 and the photo picker follow a change at once. */
export const consents = ref<Record<ConsentKind, ConsentAnswer | null>>({ photos: read('photos'), location: read('location') })

export function setConsent(kind: ConsentKind, answer: ConsentAnswer): void {
  consents.value[kind] = answer
  savePreference(KEYS[kind], answer)
}

/** True when allowed; asks (允许 / 不允许) the first time and remembers the answer. */
export async function askConsent(kind: ConsentKind): Promise<boolean> {
  const known = consents.value[kind]
  if (known) return known === 'allowed'
  const t = i18n.global.t
  const title = t(`privacy.${kind}.title`)
  const answer = showConfirmDialog({
    title,
    message: t(`privacy.${kind}.body`),
    confirmButtonText: t('privacy.allow'),
    cancelButtonText: t('privacy.deny'),
    className: 'consent-dialog',
  })
  // Vant points aria-labelledby at the title's text rather than an element: name the dialog itself.
  void nextTick(() => document.querySelector('.consent-dialog')?.setAttribute('aria-label', title))
  const allowed = await answer.then(
    () => true,
    () => false,
  )
  setConsent(kind, allowed ? 'allowed' : 'refused')
  return allowed
}
