import { describe, expect, it } from 'vitest'
import { REFLECTION_PHOTO_MAX_CHARS, REFLECTION_PHOTOS_MAX, REFLECTION_TEXT_MAX, textLength, textProblem } from '@/protocol/reflections.limits.ts'
import { PUSH_MAX_BYTES } from '@/protocol/sync.ts'

describe('reflection text limits', () => {
  it('asks for some text: empty or only spaces is refused', () => {
    expect(textProblem('', REFLECTION_TEXT_MAX)).toBe('empty')
    expect(textProblem(' \n\t ', REFLECTION_TEXT_MAX)).toBe('empty')
    expect(textProblem('好', REFLECTION_TEXT_MAX)).toBeNull()
  })

  it('takes exactly 1000 characters and refuses 1001, counting what a person sees', () => {
    expect(textProblem('学'.repeat(1000), REFLECTION_TEXT_MAX)).toBeNull()
    expect(textProblem('学'.repeat(1001), REFLECTION_TEXT_MAX)).toBe('tooLong')
    // An emoji is one character to the member, though two UTF-16 units to JavaScript.
    expect(textLength('👍'.repeat(1000))).toBe(1000)
    expect(textProblem('👍'.repeat(1000), REFLECTION_TEXT_MAX)).toBeNull()
    // Spaces around the text do not count against the limit.
    expect(textProblem(`  ${'学'.repeat(1000)}\n\n`, REFLECTION_TEXT_MAX)).toBeNull()
  })

  it('lets a reflection with all its photos and the longest text fit in one push batch', () => {
    const worstText = 3 * REFLECTION_TEXT_MAX // UTF-8 bytes of 1000 Chinese characters
    expect(REFLECTION_PHOTOS_MAX * REFLECTION_PHOTO_MAX_CHARS + worstText + 1024).toBeLessThan(PUSH_MAX_BYTES)
  })
})
