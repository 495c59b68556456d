/**
 * Limits of a reflection, shared by the phone (messages before sending) and the server (the rule).
 * No schema code here, so the PWA can import it without pulling TypeBox into its bundle.
 */
export const REFLECTION_TEXT_MAX = 1000
export const REPLY_TEXT_MAX = 300
export const REFLECTION_PHOTOS_MAX = 3
/**
 * Base64 characters of one photo (≈ 60 KB of JPEG). Well under the 200 KB per photo the issue
 * allows, so that a reflection with all 3 photos still fits one push batch (256 KiB) and arrives
 * whole or not at all.
 */
export const REFLECTION_PHOTO_MAX_CHARS = 80_000

/** Replies sent with each feed item (the latest ones). */
export const REPLIES_SHOWN = 20

export type TextProblem = 'empty' | 'tooLong' | null

/** Counted in characters a person sees (code points), after trimming: the same rule on phone and server. */
export function textLength(text: string): number {
  return [...text.trim()].length
}

export function textProblem(text: string, max: number): TextProblem {
  const n = textLength(text)
  return n === 0 ? 'empty' : n > max ? 'tooLong' : null
}

