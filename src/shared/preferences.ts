/**
 * Display preferences (language, elder mode) live in localStorage rather than Dexie: they must be
 * read synchronously before the first paint, or elderly members would see small text flash first.
 */
type PreferenceKey = 'locale' | 'elderMode' | 'readerScale' | 'consentPhotos' | 'consentLocation' | 'videoWlanOnly' | 'noVoiceNoticed'

const PREFIX = 'pps.'

export function loadPreference(key: PreferenceKey): string | null {
  try {
    return localStorage.getItem(PREFIX + key)
  } catch {
    return null
  }
}

export function savePreference(key: PreferenceKey, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value)
  } catch {
    // Private mode or a full disk: the choice still holds for this visit.
  }
}
