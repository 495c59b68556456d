import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '@/db/db.ts'
import { downloadVideo, DownloadError, type ChunkStore } from '@/features/library/video/chunkDownload.ts'
import { videoChunkStore } from '@/features/library/video/video.db.ts'
import { QuotaError } from '@/features/library/media.cache.ts'

const URL_ = '/media/video/drill.mp4?v=abc'
const CHUNK = 1000
const fileOf = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) % 251)

/**
 * A server with byte ranges and If-Range, as media.routes.ts answers; `cut(n)` makes the n-th
 * request (from 0) fail like a dropped connection, `file` may be swapped mid-download.
 */
function fakeServer(initial: Uint8Array<ArrayBuffer>) {
  const server = { file: initial, etag: '"one"', requests: [] as string[], bytesSent: 0, cuts: new Set<number>() }
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = init?.headers as Record<string, string>
    const n = server.requests.push(headers.range!) - 1
    if (server.cuts.has(n)) throw new TypeError('Failed to fetch')
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(headers.range!)!.map(Number) as [number, number, number]
    if (headers['if-range'] && headers['if-range'] !== server.etag) return new Response(server.file, { status: 200, headers: { etag: server.etag } })
    if (a >= server.file.length) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${server.file.length}` } })
    const body = server.file.slice(a, Math.min(b, server.file.length - 1) + 1)
    server.bytesSent += body.length
    return new Response(body, { status: 206, headers: { etag: server.etag, 'content-range': `bytes ${a}-${a + body.length - 1}/${server.file.length}` } })
  }
  return { server, fetch: fetch as typeof globalThis.fetch }
}

async function stored(): Promise<Uint8Array> {
  const chunks = await db.videoChunks.where('[url+index]').between([URL_, 0], [URL_, Infinity]).toArray()
  return new Uint8Array(await new Blob(chunks.map((c) => c.data)).arrayBuffer())
}

const file = (bytes: number) => ({ url: URL_, lessonId: 'l1', title: '灭火器演示', bytes })
const noWait = async () => {}

describe('the chunk downloader', () => {
  beforeEach(async () => {
    await db.videoChunks.clear()
    await db.videoDownloads.clear()
  })

  it('rides out dropped connections and stores the file exactly, fetching no chunk twice that arrived', async () => {
    const { server, fetch } = fakeServer(fileOf(4500, 1))
    server.cuts = new Set([1, 2, 4])
    const progress: number[] = []
    const row = await downloadVideo(file(4500), { store: videoChunkStore, fetch, sleep: noWait, chunkBytes: CHUNK, onProgress: (d) => progress.push(d) })
    expect(row).toMatchObject({ state: 'done', chunks: 5, etag: '"one"' })
    expect(await stored()).toEqual(server.file)
    expect(server.bytesSent).toBe(4500)
    expect(progress).toEqual([1000, 2000, 3000, 4000, 4500])
  })

  it('resumes after giving up (or a reload) from the first missing chunk', async () => {
    const { server, fetch } = fakeServer(fileOf(4500, 2))
    server.cuts = new Set([3])
    await expect(downloadVideo(file(4500), { store: videoChunkStore, fetch, sleep: noWait, chunkBytes: CHUNK, maxRetries: 0 })).rejects.toEqual(new DownloadError('network'))
    expect(await db.videoDownloads.get(URL_)).toMatchObject({ chunks: 3, state: 'downloading' })
    server.requests = []
    await downloadVideo(file(4500), { store: videoChunkStore, fetch, sleep: noWait })
    expect(server.requests).toEqual(['bytes=3000-3999', 'bytes=4000-4499'])
    expect(await stored()).toEqual(server.file)
  })

  it('pauses when asked and continues where it stopped', async () => {
    const { server, fetch } = fakeServer(fileOf(3000, 3))
    const stop = new AbortController()
    const paused = await downloadVideo(file(3000), { store: videoChunkStore, fetch, chunkBytes: CHUNK, signal: stop.signal, onProgress: (d) => d >= 1000 && stop.abort() })
    expect(paused).toMatchObject({ state: 'paused', chunks: 1 })
    expect((await downloadVideo(file(3000), { store: videoChunkStore, fetch })).state).toBe('done')
    expect(server.bytesSent).toBe(3000)
  })

  it('starts again when the file changed on the server, never mixing the two', async () => {
    const { server, fetch } = fakeServer(fileOf(4500, 4))
    server.cuts = new Set([2])
    await expect(downloadVideo(file(4500), { store: videoChunkStore, fetch, sleep: noWait, chunkBytes: CHUNK, maxRetries: 0 })).rejects.toBeInstanceOf(DownloadError)
    server.file = fileOf(3300, 5) // re-encoded: other bytes, other size
    server.etag = '"two"'
    const row = await downloadVideo(file(4500), { store: videoChunkStore, fetch, sleep: noWait })
    expect(row).toMatchObject({ state: 'done', bytes: 3300, etag: '"two"', chunks: 4 })
    expect(await stored()).toEqual(server.file)
  })

  it('starts a data-saver rendition replaced on the server again, still marked as the data-saver', async () => {
    const { server, fetch } = fakeServer(fileOf(4500, 6))
    server.cuts = new Set([2])
    const saver = { ...file(4500), kind: 'saver' as const }
    await expect(downloadVideo(saver, { store: videoChunkStore, fetch, sleep: noWait, chunkBytes: CHUNK, maxRetries: 0 })).rejects.toBeInstanceOf(DownloadError)
    expect(await db.videoDownloads.get(URL_)).toMatchObject({ kind: 'saver', chunks: 2 })
    server.file = fileOf(2100, 7)
    server.etag = '"remade"'
    const row = await downloadVideo(saver, { store: videoChunkStore, fetch, sleep: noWait, chunkBytes: CHUNK })
    expect(row).toMatchObject({ state: 'done', kind: 'saver', bytes: 2100, etag: '"remade"' })
    expect(await stored()).toEqual(server.file)
  })

  it('deletes every stored chunk when the phone runs out of space, with a readable error', async () => {
    const { fetch } = fakeServer(fileOf(4500, 6))
    const full: ChunkStore = {
      ...videoChunkStore,
      putChunk: (row, index, data) => {
        if (index === 2) throw Object.assign(new Error('AbortError'), { name: 'AbortError', inner: new DOMException('full', 'QuotaExceededError') })
        return videoChunkStore.putChunk(row, index, data)
      },
    }
    await expect(downloadVideo(file(4500), { store: full, fetch, chunkBytes: CHUNK })).rejects.toBeInstanceOf(QuotaError)
    expect(await db.videoChunks.count()).toBe(0)
    expect(await db.videoDownloads.count()).toBe(0)
  })
})
