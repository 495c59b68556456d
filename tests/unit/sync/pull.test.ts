import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import { loadFirstDownload } from '@/features/sync/download.db.ts'
import { applyPullPage, loadPullCursor } from '@/features/sync/pull.db.ts'
import { pullContent } from '@/features/sync/pull.ts'
import type { PocketEntry, PullChange, PullResponse } from '@/protocol/content.ts'
import { createIndex, entryDoc, runSearch, applyChanges } from '@/features/pocket/search.index.ts'

const entry = (id: string, title = id): PocketEntry => ({ id, category: 'law', title, tags: [], body: '正文' })
const change = (id: string, version: number, data: PocketEntry | null = entry(id)): PullChange => ({ type: 'pocketEntry', id, version, data })

/** A fake server: pages of `size` from a list of changes, cursor = last version. */
function serve(changes: PullChange[], size: number) {
  const calls: (string | null)[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const since = new URL(String(input), 'http://x').searchParams.get('since')
    calls.push(since)
    const from = since ? Number(since.slice(1)) : 0
    const rest = changes.filter((c) => c.version > from)
    const page = rest.slice(0, size)
    const body: PullResponse = { changes: page, cursor: `v${page.at(-1)?.version ?? from}`, more: rest.length > size }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

describe('pulling content into Dexie', () => {
  beforeEach(async () => {
    await Promise.all([db.pocketEntries.clear(), db.meta.clear()])
  })
  afterEach(() => vi.unstubAllGlobals())

  it('follows the cursor page by page and stores rows and cursor together', async () => {
    const calls = serve([change('a', 1), change('b', 2), change('c', 3), change('d', 4), change('e', 5)], 2)
    const result = await pullContent()
    expect(calls).toEqual([null, 'v2', 'v4'])
    expect(result.pages).toBe(3)
    expect(await db.pocketEntries.count()).toBe(5)
    expect(await loadPullCursor()).toBe('v5')
  })

  it('asks only for what changed since the stored cursor, and applies tombstones', async () => {
    serve([change('a', 1), change('b', 2)], 10)
    await pullContent()
    const calls = serve([change('a', 1), change('b', 2), change('a', 3, entry('a', '新标题')), change('b', 4, null)], 10)
    const result = await pullContent()
    expect(calls).toEqual(['v2'])
    expect(result.changes.map((c) => c.id)).toEqual(['a', 'b'])
    expect((await db.pocketEntries.get('a'))?.title).toBe('新标题')
    expect(await db.pocketEntries.get('b')).toBeUndefined()
  })

  it('repeats a page after a crash mid-write instead of skipping it', async () => {
    const page: PullResponse = { changes: [change('a', 1), change('b', 2)], cursor: 'v2', more: false }
    // The write of the cursor fails inside the transaction: the rows must roll back with it.
    const spy = vi.spyOn(db.meta, 'bulkPut').mockRejectedValueOnce(new Error('tab killed'))
    await expect(applyPullPage(page)).rejects.toThrow('tab killed')
    spy.mockRestore()
    expect(await db.pocketEntries.count()).toBe(0)
    expect(await loadPullCursor()).toBeUndefined()

    const calls = serve(page.changes, 10)
    await pullContent()
    expect(calls).toEqual([null])
    expect(await db.pocketEntries.count()).toBe(2)
  })

  it("shows a first download's progress from the server's hint, page by page, until its last page", async () => {
    expect(await loadFirstDownload()).toEqual({ done: false, percent: 0 })
    // The assigned course's lesson arrives on the first page and is readable at once.
    await applyPullPage({ changes: [change('a', 7)], cursor: 'f0.7', more: true, progress: { done: 2, total: 5 } })
    expect(await loadFirstDownload()).toEqual({ done: false, percent: 40 })
    expect(await db.pocketEntries.get('a')).toBeDefined()
    await applyPullPage({ changes: [change('b', 3)], cursor: 'f1.3', more: true, progress: { done: 4, total: 5 } })
    expect(await loadFirstDownload()).toEqual({ done: false, percent: 80 })
    // The last page (done = total) ends it, even when newer changes wait (more: true).
    await applyPullPage({ changes: [change('c', 5)], cursor: 'v9', more: true, progress: { done: 5, total: 5 } })
    expect(await loadFirstDownload()).toEqual({ done: true, percent: 100 })
    await applyPullPage({ changes: [change('d', 10)], cursor: 'v10', more: false })
    expect(await loadFirstDownload()).toEqual({ done: true, percent: 100 })
  })

  it('keeps what the phone has when the network is down', async () => {
    serve([change('a', 1)], 10)
    await pullContent()
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(pullContent()).rejects.toMatchObject({ code: 'NETWORK' })
    expect(await db.pocketEntries.count()).toBe(1)
    expect(await loadPullCursor()).toBe('v1')
  })
})

describe('a reset (what the person may see changed)', () => {
  beforeEach(async () => {
    await Promise.all([db.pocketEntries.clear(), db.meta.clear()])
  })
  afterEach(() => vi.unstubAllGlobals())

  it('keeps the rows readable mid-reset, resumes after a lost connection, and at its end deletes what it did not send', async () => {
    const a = entry('a', '党章学习')
    const b = entry('b', '乡村振兴')
    serve([change('a', 1, a), change('b', 2, b)], 10)
    await pullContent()

    // The reset's pages, by the cursor asked with; the second page's request fails first.
    const reset = (begins: boolean) => ({ types: ['pocketEntry' as const], begins })
    const pages: Record<string, PullResponse> = {
      v2: { changes: [change('a', 1, a)], cursor: 'r1', more: true, reset: reset(true) },
      r1: { changes: [change('c', 3)], cursor: 'v3', more: false, reset: reset(false) },
    }
    let failNext = true
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const since = new URL(String(input), 'http://x').searchParams.get('since')!
        if (since === 'r1' && failNext) {
          failNext = false
          throw new TypeError('Failed to fetch')
        }
        return new Response(JSON.stringify(pages[since]), { status: 200, headers: { 'content-type': 'application/json' } })
      }),
    )
    await expect(pullContent()).rejects.toMatchObject({ code: 'NETWORK' })
    expect((await db.pocketEntries.toArray()).map((e) => e.id)).toEqual(['a', 'b'])
    expect(await loadPullCursor()).toBe('r1')

    const result = await pullContent()
    expect((await db.pocketEntries.toArray()).map((e) => e.id)).toEqual(['a', 'c'])
    expect(result.changes).toContainEqual({ type: 'pocketEntry', id: 'b', version: 0, data: null })
    // What the search index does with the pull's changes: the swept entry is no longer found.
    const index = createIndex([entryDoc(a), entryDoc(b)])
    applyChanges(index, result.changes)
    expect(runSearch(index, '乡村振兴')).toEqual([])
    expect(runSearch(index, '党章')).not.toEqual([])
  })
})

describe('pulling for a different person', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('drops the previous person’s cached content and starts over', async () => {
    await Promise.all([db.pocketEntries.clear(), db.meta.clear()])
    const signInAs = (id: string) => db.meta.put({ key: 'session', value: { token: 't', sessionId: 's', expiresAt: 0, profile: { id } } })
    await signInAs('p1')
    serve([change('a', 1), change('b', 2)], 10)
    await pullContent()
    await signInAs('p2')
    const calls = serve([change('a', 1)], 10)
    await pullContent()
    expect(calls).toEqual([null])
    expect((await db.pocketEntries.toArray()).map((e) => e.id)).toEqual(['a'])
  })
})
