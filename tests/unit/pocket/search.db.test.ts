import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '@/db/db.ts'
import { loadRows, loadSearchIndex, saveSearchIndex } from '@/features/pocket/search.db.ts'
import { createIndex, entryDoc, loadIndex, runSearch } from '@/features/pocket/search.index.ts'
import type { PocketEntry } from '@/protocol/content.ts'

const entry = (id: string, title: string, body: string): PocketEntry => ({ id, category: 'law', title, tags: [], body })

describe('the saved search index', () => {
  beforeEach(() => db.searchIndex.clear())

  it('is stored gzip-compressed, far smaller than its JSON, and loads back to the same answers', async () => {
    const entries = Array.from({ length: 200 }, (_, i) => entry(`e${i}`, `宅基地使用权第${i}条`, '农村宅基地的申请、审批和使用，'.repeat(5 + (i % 7))))
    const json = JSON.stringify(createIndex(entries.map(entryDoc)))
    await saveSearchIndex('v9', json)
    const row = await db.searchIndex.get('main')
    expect(row?.json).toBeUndefined()
    expect(row?.gzip?.byteLength).toBeLessThan(json.length / 4)
    const saved = await loadSearchIndex()
    expect(saved).toEqual({ cursor: 'v9', json })
    expect(runSearch(loadIndex(saved!.json), '宅基地').length).toBe(30)
  })

  it('still reads an index saved as plain JSON before compression', async () => {
    const json = JSON.stringify(createIndex([entryDoc(entry('a', '党费', '交纳党费'))]))
    await db.searchIndex.put({ key: 'main', cursor: 'v1', json })
    expect(await loadSearchIndex()).toEqual({ cursor: 'v1', json })
  })

  it('stores no field of the rows: a hit takes its kind and id from the document id, its title from Dexie', async () => {
    const ms = createIndex([entryDoc(entry('a1', '党费交纳', '按月交纳党费'))])
    expect(JSON.stringify(ms)).not.toContain('党费交纳')
    const [hit] = runSearch(ms, '党费')
    expect(hit).toMatchObject({ kind: 'entry', refId: 'a1' })
    await db.pocketEntries.put(entry('a1', '党费交纳', '按月交纳党费'))
    expect((await loadRows([hit!])).get('entry:a1')?.title).toBe('党费交纳')
  })
})
