import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import { useDownloadsStore } from '@/features/library/downloads.store.ts'
import type { Course } from '@/protocol/content.ts'

const course: Course = {
  id: 'c1',
  title: '课程',
  kind: 'theme',
  category: 'law',
  description: '',
  cover: null,
  order: 1,
  body: '',
  media: [
    { url: '/media/a.svg?v=1', bytes: 4 },
    { url: '/media/b.ogg?v=1', bytes: 6 },
  ],
}

/** A Cache Storage with one cache that can be told to run out of space. */
function fakeCaches(quotaBytes: number) {
  const store = new Map<string, Response>()
  let used = 0
  const cache = {
    match: async (url: string) => store.get(url),
    put: async (url: string, res: Response) => {
      const size = Number(res.headers.get('content-length'))
      if (used + size > quotaBytes) throw new DOMException('full', 'QuotaExceededError')
      used += size
      store.set(url, res)
    },
    delete: async (url: string) => store.delete(url),
  }
  vi.stubGlobal('caches', { open: async () => cache })
  vi.stubGlobal('fetch', vi.fn(async (url: string) => new Response(new Uint8Array(url.includes('a.svg') ? 4 : 6), { status: 200 })))
  Object.defineProperty(navigator, 'storage', {
    configurable: true,
    value: { estimate: async () => ({ usage: used, quota: quotaBytes }), persisted: async () => false, persist: vi.fn(async () => true) },
  })
  return store
}

describe('downloading a course', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await db.downloads.clear()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('stores every media file, records the size and asks for persistent storage once', async () => {
    const cached = fakeCaches(1000)
    const downloads = useDownloadsStore()
    await downloads.download(course)
    expect([...cached.keys()]).toEqual(['/media/a.svg?v=1', '/media/b.ogg?v=1'])
    expect(await db.downloads.get('c1')).toMatchObject({ bytes: 10 })
    expect(navigator.storage.persist).toHaveBeenCalledTimes(1)
    expect(downloads.active.c1).toBeUndefined()

    await downloads.remove('c1')
    expect(cached.size).toBe(0)
    expect(await db.downloads.get('c1')).toBeUndefined()
  })

  it('says clearly when the phone is full, and leaves nothing half-downloaded', async () => {
    const cached = fakeCaches(5) // room for the first file only
    const downloads = useDownloadsStore()
    await downloads.download(course)
    expect(downloads.active.c1?.error).toBe('library.quotaExceeded')
    expect(cached.size).toBe(0)
    expect(await db.downloads.get('c1')).toBeUndefined()
  })
})
