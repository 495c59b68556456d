/**
 * Search over pocket-book entries and lessons, fully offline. The index lives in memory once
 * loaded, is persisted in Dexie with the pull cursor it reflects, and is updated from each
 * pull's changes, never rebuilt while the member types.
 */
import type MiniSearch from 'minisearch'
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { PullResult } from '@/features/sync/pull.ts'
import { loadPullCursor } from '@/features/sync/pull.db.ts'
import { loadRows, loadIndexSource, loadSearchIndex, saveSearchIndex } from './search.db.ts'
import { plainText } from '@/shared/plainText.ts'
import { applyChanges, createIndex, entryDoc, lessonDoc, loadIndexAsync, runSearch, toHit, type SearchDoc, type SearchHit } from './search.index.ts'

let index: MiniSearch<SearchDoc> | undefined
let indexCursor: string | undefined
let queue: Promise<unknown> = Promise.resolve()

/** Runs index work one job at a time (a pull and a first search may race). */
function serial<T>(job: () => Promise<T>): Promise<T> {
  const next = queue.then(job, job)
  queue = next.catch(() => undefined)
  return next
}

async function rebuild(): Promise<MiniSearch<SearchDoc>> {
  const src = await loadIndexSource()
  index = createIndex([...src.entries.map(entryDoc), ...src.lessons.map(lessonDoc)])
  indexCursor = src.cursor
  if (src.cursor) await saveSearchIndex(src.cursor, JSON.stringify(index))
  return index
}

/**
 * The saved index when it reflects `cursor`: read from IndexedDB, unpacked and loaded, the time
 * marked in the page's performance timeline as `search-index-load` (the cheap-phone test and
 * bench:first-screen read it). Undefined when there is none or it reflects other content.
 */
async function loadSaved(cursor: string | undefined): Promise<MiniSearch<SearchDoc> | undefined> {
  const start = performance.now()
  const row = await loadSearchIndex()
  if (!row || row.cursor !== cursor) return undefined
  const loaded = await loadIndexAsync(row.json)
  indexCursor = row.cursor
  performance.measure('search-index-load', { start, end: performance.now(), detail: { chars: row.json.length } })
  return loaded
}

/** The in-memory index: from memory, else from Dexie if it matches the content, else rebuilt. */
function ensureIndex(): Promise<MiniSearch<SearchDoc>> {
  return serial(async () => {
    index ??= (await loadSaved(await loadPullCursor())) ?? (await rebuild())
    return index
  })
}

/** Called after each pull: applies just the changed rows when the index was at the pull's start. */
export function updateSearchIndexAfterPull(result: PullResult): Promise<void> {
  return serial(async () => {
    index ??= await loadSaved(result.from)
    if (index && indexCursor === result.from && result.cursor) {
      applyChanges(index, result.changes)
      indexCursor = result.cursor
      await saveSearchIndex(result.cursor, JSON.stringify(index))
    } else {
      await rebuild()
    }
  })
}

export const useSearchStore = defineStore('search', () => {
  const query = ref('')
  const hits = shallowRef<SearchHit[]>([])
  const searching = ref(false)

  /** Searches the local index; works with no network. */
  async function search(input: string): Promise<void> {
    query.value = input
    if (!input.trim()) {
      hits.value = []
      return
    }
    searching.value = true
    try {
      const ms = await ensureIndex()
      const results = runSearch(ms, input)
      const rows = await loadRows(results)
      // A newer keystroke may have finished first; keep only the latest answer.
      if (query.value !== input) return
      // A row gone since the index was saved (the next pull's update drops it) is not shown.
      hits.value = results.flatMap((r) => {
        const row = rows.get(String(r.id))
        return row ? [toHit(r, row.title, plainText(row.body))] : []
      })
    } finally {
      searching.value = false
    }
  }

  return { query, hits, searching, search }
})
