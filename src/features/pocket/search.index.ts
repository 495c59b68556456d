/**
 * The offline search over pocket-book entries and lessons (MiniSearch + the Chinese tokenizer).
 * Loaded lazily (its own chunk), so the first screen never pays for it. The index is built once,
 * updated with the rows of each pull and saved in Dexie with the pull cursor it reflects; when
 * that cursor does not match (a crash between pull and save), it is rebuilt from Dexie, which
 * takes well under a second.
 */
import MiniSearch, { type Options, type SearchResult } from 'minisearch'
import type { Lesson, PocketEntry, PullChange } from '@/protocol/content.ts'
import { plainText } from '@/shared/plainText.ts'
import { buildQuery, decodeTerm, processTerm, termFuzzy, termPrefix, tokenize } from './tokenizer.ts'

export interface SearchDoc {
  /** "entry:<id>" or "lesson:<id>" */
  id: string
  kind: 'entry' | 'lesson'
  refId: string
  title: string
  text: string
  tags: string
}

export interface Highlighted {
  text: string
  hit: boolean
}

export interface SearchHit {
  id: string
  kind: 'entry' | 'lesson'
  refId: string
  title: Highlighted[]
  snippet: Highlighted[]
  score: number
}

/** Exported for the benchmark's same-run baseline (plain MiniSearch, same tokenizer). */
export const OPTIONS: Options<SearchDoc> = {
  fields: ['title', 'text', 'tags'],
  // Nothing stored: kind and row id are read from the document id, the title from Dexie with the
  // body (search.db loadRows). Stored fields were 0.48 MB of the 5.8 MB saved JSON at 5,000 entries.
  storeFields: [],
  tokenize,
  processTerm,
  searchOptions: {
    boost: { title: 3, tags: 2 },
    prefix: termPrefix,
    fuzzy: termFuzzy,
    // Leaves of our query tree are already single terms.
    tokenize: (t) => [t],
  },
}

export const entryDoc = (e: PocketEntry): SearchDoc => ({
  id: `entry:${e.id}`,
  kind: 'entry',
  refId: e.id,
  title: e.title,
  text: plainText(e.body),
  tags: e.tags.join(' '),
})

export const lessonDoc = (l: Lesson): SearchDoc => ({
  id: `lesson:${l.id}`,
  kind: 'lesson',
  refId: l.id,
  title: l.title,
  text: plainText(l.body),
  tags: '',
})

/**
 * MiniSearch with a faster bulk add. Profiling the 5,000-entry build showed most of the time in
 * MiniSearch's radix tree: every token of every document walks the tree from the root, scanning
 * each node's children (`SearchableMap.fetch`), although 5,000 entries hold only ~12,000
 * distinct terms among ~590,000 tokens. During addAll nothing is removed, so the postings object
 * a term leads to never changes: a plain Map in front of the tree walks it once per distinct term
 * instead of once per token. The memo lives only for the duration of addAll (discard, vacuum and
 * incremental adds use the tree as usual), so the index built is exactly MiniSearch's own (same
 * JSON, checked against plain addAll). `_index` is MiniSearch's protected, typed field: a rename
 * in a later version fails the type check rather than silently.
 */
class PocketIndex extends MiniSearch<SearchDoc> {
  override addAll(docs: readonly SearchDoc[]): void {
    const tree = this._index
    const fetch = tree.fetch
    const memo = new Map<string, ReturnType<typeof fetch>>()
    tree.fetch = (term, initial) => {
      let data = memo.get(term)
      if (data === undefined) memo.set(term, (data = fetch.call(tree, term, initial)))
      return data
    }
    try {
      super.addAll(docs)
    } finally {
      tree.fetch = fetch
    }
  }
}

export function createIndex(docs: SearchDoc[]): MiniSearch<SearchDoc> {
  const ms = new PocketIndex(OPTIONS)
  ms.addAll(docs)
  return ms
}

export function loadIndex(json: string): MiniSearch<SearchDoc> {
  return MiniSearch.loadJSON<SearchDoc>(json, OPTIONS)
}

/**
 * The same, yielding to the page between chunks of terms: on a cheap phone the load of a
 * saved index takes seconds, and the screen must keep answering taps meanwhile.
 */
export function loadIndexAsync(json: string): Promise<MiniSearch<SearchDoc>> {
  return MiniSearch.loadJSONAsync<SearchDoc>(json, OPTIONS)
}

/** What a document id ("entry:<id>" / "lesson:<id>") points at. */
export function refOf(docId: string): { kind: SearchDoc['kind']; refId: string } {
  const at = docId.indexOf(':')
  return { kind: docId.slice(0, at) as SearchDoc['kind'], refId: docId.slice(at + 1) }
}

/** A result with the row it points at. */
export type Found = SearchResult & { kind: SearchDoc['kind']; refId: string }

/** Applies one pull's changes: replaced rows are re-added, tombstones removed. */
export function applyChanges(ms: MiniSearch<SearchDoc>, changes: PullChange[]): number {
  let n = 0
  for (const c of changes) {
    if (c.type !== 'pocketEntry' && c.type !== 'lesson') continue
    const id = `${c.type === 'pocketEntry' ? 'entry' : 'lesson'}:${c.id}`
    if (ms.has(id)) ms.discard(id)
    if (c.data) ms.add(c.type === 'pocketEntry' ? entryDoc(c.data as PocketEntry) : lessonDoc(c.data as Lesson))
    n++
  }
  return n
}

export function runSearch(ms: MiniSearch<SearchDoc>, input: string, limit = 30): Found[] {
  const query = buildQuery(input)
  if (!query) return []
  return ms
    .search(query)
    .slice(0, limit)
    .map((r) => ({ ...r, ...refOf(String(r.id)) }))
}

/** Splits text into plain and matched parts for <mark>, with no HTML involved. */
export function highlight(text: string, terms: string[]): Highlighted[] {
  const needles = [...new Set(terms.map((t) => t.toLowerCase()).filter(Boolean))].sort((a, b) => b.length - a.length)
  if (needles.length === 0) return [{ text, hit: false }]
  const lower = text.toLowerCase()
  const marks = new Array<boolean>(text.length).fill(false)
  for (const n of needles) {
    for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, i + 1)) marks.fill(true, i, i + n.length)
  }
  const out: Highlighted[] = []
  for (let i = 0; i < text.length; ) {
    let j = i
    while (j < text.length && marks[j] === marks[i]) j++
    out.push({ text: text.slice(i, j), hit: marks[i]! })
    i = j
  }
  return out
}

/** About `size` characters of text around the first match, highlighted. */
export function snippet(text: string, terms: string[], size = 60): Highlighted[] {
  const lower = text.toLowerCase()
  const first = Math.min(...terms.map((t) => lower.indexOf(t.toLowerCase())).filter((i) => i >= 0), text.length)
  const start = first >= text.length ? 0 : Math.max(0, first - Math.floor(size / 3))
  const part = (start > 0 ? '…' : '') + text.slice(start, start + size) + (start + size < text.length ? '…' : '')
  return highlight(part, terms)
}

/** Turns a result into a hit with highlighted title and snippet (title and text read from Dexie). */
export function toHit(result: Found, title: string, text: string): SearchHit {
  const terms = result.terms.map(decodeTerm)
  return {
    id: String(result.id),
    kind: result.kind,
    refId: result.refId,
    title: highlight(title, terms),
    snippet: snippet(text, terms),
    score: result.score,
  }
}
