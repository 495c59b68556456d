/**
 * Chinese-aware tokens for MiniSearch. Chinese has no spaces. Intl.Segmenter('zh') finds words,
 * but it cuts the same word differently in different places (宅基地 → 宅|基地), so words alone
 * would miss matches; overlapping character bigrams are the fallback that never misses. A query
 * matches when all its bigrams occur (AND) — any word of two or more characters that occurs in
 * the text is found, and one that does not occur finds nothing — and a whole segmenter word in
 * a title or tag ranks higher. Latin words are lower-cased and searched with prefix and fuzzy
 * matching.
 */

const HAN = /\p{Script=Han}/u
const HAN_RUN = /\p{Script=Han}+/gu
/** Letters and digits of scripts other than Han (pinyin, English, numbers such as 110). */
const LATIN_WORD = /(?:[^\P{L}\p{Script=Han}]|\p{N})+/gu

let segmenter: Intl.Segmenter | undefined
function segments(text: string): string[] {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' })
    const out: string[] = []
    for (const s of segmenter.segment(text)) if (s.isWordLike) out.push(s.segment)
    return out
  }
  // Old WebViews without Intl.Segmenter: Han runs and Latin words; the bigrams do the work.
  return text.match(/\p{Script=Han}+|[\p{L}\p{N}]+/gu) ?? []
}

export function bigrams(run: string): string[] {
  const chars = [...run]
  if (chars.length < 2) return chars
  const out: string[] = []
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i]! + chars[i + 1]!)
  return out
}

export const isHan = (term: string) => HAN.test(term)

/*
 * Why Han terms are stored as hex: MiniSearch keeps terms in a radix tree whose nodes are
 * scanned child by child. Latin text has ~36 children per node, but thousands of different
 * Han characters would sit under the root and every insert and lookup would scan them
 * (index build for 5,000 entries took over 6 s). Spelling each character as three base-64
 * digits keeps every node at ≤64 children; the fixed width keeps prefix search (a single
 * character finds its bigrams) working. The first digit of each character comes from the
 * Private Use Area, which no text contains, so an encoded term can never equal a Latin word.
 * Decoded again for highlighting.
 */
const WIDTH = 3
const BASE = 64
const PUA = 0xe000 // first digit: U+E000–U+E03F
const ZERO = 48 // other digits: '0' (48) to 'o' (111)
const isEncoded = (term: string) => {
  const c = term.charCodeAt(0)
  return c >= PUA && c < PUA + BASE
}

export function encodeTerm(term: string): string {
  if (!HAN.test(term)) return term
  let out = ''
  for (const ch of term) out += encodeChar(ch.codePointAt(0)!)
  return out
}

export function decodeTerm(term: string): string {
  if (!isEncoded(term)) return term
  let out = ''
  for (let i = 0; i + WIDTH <= term.length; i += WIDTH) {
    const d = (k: number) => term.charCodeAt(i + k) - ZERO
    out += String.fromCodePoint((term.charCodeAt(i) - PUA) * BASE * BASE + d(1) * BASE + d(2))
  }
  return out
}

/** One Han character's three digits (hot path of indexing: no regex, no iterator). */
function encodeCode(c: number): string {
  c &= 0x3ffff // 18 bits: every Han block fits
  return String.fromCharCode(PUA + (c >> 12), ZERO + ((c >> 6) & 63), ZERO + (c & 63))
}

/*
 * Each character's three digits, built once and reused: the index build encodes ~600,000
 * characters for 5,000 entries, but they are fewer than 2,000 distinct ones, so this cache stays
 * small (a few thousand three-character strings at most) and is never cleared.
 */
const encodedChars = new Map<number, string>()
function encodeChar(c: number): string {
  let e = encodedChars.get(c)
  if (e === undefined) encodedChars.set(c, (e = encodeCode(c)))
  return e
}

/**
 * Tokens of a document, already encoded, each once per field:
 * - title: the segmenter's words of three or more characters (a two-character word is one of
 *   the bigrams anyway, a single character adds only bulk), so a whole-word query ranks titles
 *   that contain the word first;
 * - tags: whole words as authored;
 * - every field: lower-cased Latin words and the bigrams of every Han run.
 * Body text skips the segmenter: it costs ~0.1 ms per entry in Node (half a second of the
 * 1.5 s budget for 5,000 entries, more on a phone) and adds nothing the bigrams do not find.
 * Each token counts once per field: entries are short, and a smaller posting list halves the
 * index build.
 */
export function tokenize(text: string, field?: string): string[] {
  const out = new Set<string>()
  if (field === 'title' || field === 'tags') {
    for (const word of field === 'tags' ? text.split(/\s+/) : segments(text)) {
      if (isHan(word) && word.length > 2) out.add(encodeTerm(word))
    }
  }
  for (const word of text.match(LATIN_WORD) ?? []) out.add(word.toLowerCase())
  for (const run of text.match(HAN_RUN) ?? []) {
    // Index loop rather than `for…of` over the string: no iterator or one-character string per
    // character; only characters outside the BMP (two code units) need the extra step.
    let prev = ''
    for (let i = 0; i < run.length; i++) {
      const c = run.codePointAt(i)!
      if (c > 0xffff) i++
      const cur = encodeChar(c)
      if (prev) out.add(prev + cur)
      prev = cur
    }
  }
  return Array.from(out)
}

/**
 * MiniSearch calls this for document tokens and query terms alike. Both arrive lower-cased and
 * encoded already (tokenize, buildQuery), so it only drops empties.
 */
export function processTerm(term: string): string | null {
  return term.length === 0 ? null : term
}

export interface QueryTree {
  combineWith: 'AND' | 'OR'
  queries: (QueryTree | string)[]
}

/**
 * The MiniSearch query for what a person typed: every part must match (AND). A run of Han
 * characters matches as one indexed word OR as all of its bigrams, so it does not depend on
 * where the segmenter cuts; a single Han character matches as the prefix of a bigram; Latin
 * words go through as they are (the search options add prefix and fuzzy for them).
 * Returns undefined when nothing searchable was typed.
 */
export function buildQuery(input: string): QueryTree | undefined {
  const parts: (QueryTree | string)[] = []
  for (const raw of input.match(/\p{Script=Han}+|[\p{L}\p{N}]+/gu) ?? []) {
    const w = raw.toLowerCase()
    const n = [...w].length
    if (!isHan(w) || n <= 2) parts.push(encodeTerm(w))
    else parts.push({ combineWith: 'OR', queries: [encodeTerm(w), { combineWith: 'AND', queries: bigrams(w).map(encodeTerm) }] })
  }
  if (parts.length === 0) return undefined
  return { combineWith: 'AND', queries: parts }
}

/**
 * Per-term search options (MiniSearch passes processed, i.e. encoded, terms): Latin words get
 * prefix and fuzzy matching, a single Han character is a prefix, Han bigrams match exactly.
 */
export function termPrefix(term: string): boolean {
  return !isEncoded(term) || term.length === WIDTH
}

export function termFuzzy(term: string): number | false {
  return !isEncoded(term) && term.length > 3 ? 0.2 : false
}
