import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/db/db.ts'
import { answerFromChunks, MAX_ANSWER_BYTES } from '@/features/library/video/chunkAnswer.ts'

const URL_ = '/media/video/drill.mp4?v=abc'
const SIZE = 2500
const file = Uint8Array.from({ length: SIZE }, (_, i) => i % 256)

/** What the <video> element asks the service worker for. */
const ask = (range?: string, url = URL_) => answerFromChunks(new Request(`http://localhost${url}`, { headers: range ? { range } : {} }))
const bytes = async (res: Response | undefined) => new Uint8Array(await res!.arrayBuffer())

describe('offline playback from stored chunks', () => {
  beforeAll(async () => {
    await db.videoDownloads.put({ url: URL_, lessonId: 'l1', title: 't', bytes: SIZE, etag: '"e"', chunkBytes: 1000, chunks: 3, state: 'done', updatedAt: 0 })
    for (let i = 0; i < 3; i++) await db.videoChunks.put({ url: URL_, index: i, data: file.slice(i * 1000, (i + 1) * 1000).buffer })
  })

  it('answers a range across two chunks with 206 and the exact bytes', async () => {
    const res = await ask('bytes=900-1099')
    expect(res!.status).toBe(206)
    expect(res!.headers.get('content-range')).toBe(`bytes 900-1099/${SIZE}`)
    expect(res!.headers.get('content-type')).toBe('video/mp4')
    expect(await bytes(res)).toEqual(file.slice(900, 1100))
  })

  it('answers an open range to the end, and the last bytes of the file', async () => {
    const open = await ask('bytes=2000-')
    expect(open!.headers.get('content-range')).toBe(`bytes 2000-2499/${SIZE}`)
    expect(await bytes(open)).toEqual(file.slice(2000))
    const suffix = await ask('bytes=-100')
    expect(await bytes(suffix)).toEqual(file.slice(2400))
    expect(MAX_ANSWER_BYTES).toBeGreaterThan(SIZE) // an open range of a big file is answered in parts
  })

  it('refuses a range past the end with 416 and the size', async () => {
    const res = await ask(`bytes=${SIZE}-`)
    expect(res!.status).toBe(416)
    expect(res!.headers.get('content-range')).toBe(`bytes */${SIZE}`)
  })

  it('leaves a video that is not fully downloaded to the network', async () => {
    await db.videoDownloads.put({ url: '/media/video/half.mp4?v=1', lessonId: 'l2', title: 't', bytes: SIZE, etag: null, chunkBytes: 1000, chunks: 1, state: 'downloading', updatedAt: 0 })
    expect(await ask('bytes=0-', '/media/video/half.mp4?v=1')).toBeUndefined()
    expect(await ask('bytes=0-', '/media/video/other.mp4?v=1')).toBeUndefined()
  })
})
