/**
 * Downloads one video in ranged chunks (1 MB) into a store that keeps every finished chunk, so a
 * dropped connection, a reload or a killed app costs at most the chunk in flight: the next run
 * starts from the first missing chunk. Each chunk's ETag and total size must match the file's as
 * first seen; a file changed on the server throws all stored chunks away and starts again, so
 * playback never mixes two files. No Vue, no Dexie here: tests drive it with a fake fetch.
 */
import type { VideoDownloadRow } from '@/db/db.ts'
import { isQuotaError, QuotaError } from '../media.cache.ts'

export const CHUNK_BYTES = 1024 * 1024

/** What the downloader needs from storage (video.db.ts; an in-memory one in tests). */
export interface ChunkStore {
  get(url: string): Promise<VideoDownloadRow | undefined>
  save(row: VideoDownloadRow): Promise<void>
  /** Stores chunk `index` and sets `row.chunks = index + 1` in one transaction. */
  putChunk(row: VideoDownloadRow, index: number, data: ArrayBuffer): Promise<void>
  /** Deletes the row and every chunk of `url`. */
  clear(url: string): Promise<void>
}

export interface VideoFile {
  url: string
  lessonId: string
  title: string
  /** size the lesson announced; the server's answer wins if the file changed since */
  bytes: number
  kind?: 'hd' | 'saver'
}

export interface DownloadOptions {
  store: ChunkStore
  fetch?: typeof fetch
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
  /** waits before retrying after a network error (tests pass a no-op) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** network errors in a row before giving up (the member can resume by hand) */
  maxRetries?: number
  now?: () => number
  /** chunk size of a new download (tests and the bench use small ones) */
  chunkBytes?: number
}

/** The server no longer has the file, or answers something a chunk cannot come from. */
export class DownloadError extends Error {
  constructor(readonly reason: 'gone' | 'server' | 'network') {
    super(`video download failed: ${reason}`)
  }
}

/** A chunk that does not belong to the file the stored chunks came from. */
class FileChanged extends Error {}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
  })

function chunkRange(row: VideoDownloadRow, index: number): [number, number] {
  const start = index * row.chunkBytes
  return [start, Math.min(row.bytes, start + row.chunkBytes) - 1]
}

/** Bytes stored so far (the last chunk may be short). */
export function bytesDone(row: VideoDownloadRow): number {
  return Math.min(row.bytes, row.chunks * row.chunkBytes)
}

export function totalChunks(row: Pick<VideoDownloadRow, 'bytes' | 'chunkBytes'>): number {
  return Math.ceil(row.bytes / row.chunkBytes)
}

/** Fetches one chunk; checks it comes from the same file as the chunks already stored. */
async function fetchChunk(row: VideoDownloadRow, index: number, f: typeof fetch, signal?: AbortSignal): Promise<{ data: ArrayBuffer; etag: string | null; total: number }> {
  const [start, end] = chunkRange(row, index)
  const headers: Record<string, string> = { range: `bytes=${start}-${end}` }
  // With If-Range a changed file comes back whole (200), never as a range of the new bytes.
  if (row.etag) headers['if-range'] = row.etag
  const res = await f(row.url, { headers, signal, cache: 'no-store' })
  if (res.status === 404 || res.status === 410) throw new DownloadError('gone')
  if (res.status === 416 || res.status === 200) throw new FileChanged()
  if (res.status !== 206) throw new DownloadError('server')
  const total = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1])
  const etag = res.headers.get('etag')
  if (total !== row.bytes || (row.etag && etag !== row.etag)) throw new FileChanged()
  const data = await res.arrayBuffer()
  if (data.byteLength !== end - start + 1) throw new TypeError('chunk cut short') // retried like a drop
  return { data, etag, total }
}

/**
 * Downloads (or resumes) `file`. Resolves with the row in state 'done', or in state 'paused'
 * when `signal` aborts. Network errors are retried with backoff; a full disk deletes every
 * stored chunk of this file and throws QuotaError; a vanished file throws DownloadError('gone').
 */
export async function downloadVideo(file: VideoFile, opts: DownloadOptions): Promise<VideoDownloadRow> {
  const { store, signal, onProgress, sleep = defaultSleep, maxRetries = 8, now = Date.now, chunkBytes = CHUNK_BYTES } = opts
  const f = opts.fetch ?? fetch.bind(globalThis)
  let row = (await store.get(file.url)) ?? fresh(file, chunkBytes, now())
  if (row.state === 'done') return row
  row = { ...row, state: 'downloading', updatedAt: now() }
  await store.save(row)
  let failures = 0
  let restarts = 0
  while (row.chunks < totalChunks(row)) {
    if (signal?.aborted) return pause(store, row, now())
    try {
      const { data, etag } = await fetchChunk(row, row.chunks, f, signal)
      if (row.chunks === 0) row = { ...row, etag }
      row = { ...row, chunks: row.chunks + 1, updatedAt: now() }
      await store.putChunk(row, row.chunks - 1, data)
      failures = 0
      onProgress?.(bytesDone(row), row.bytes)
    } catch (err) {
      if (signal?.aborted) return pause(store, row, now())
      if (isQuotaError(err)) {
        await store.clear(file.url)
        throw new QuotaError()
      }
      if (err instanceof FileChanged) {
        // Start again with the file as it is now; twice in one run means the server is unsteady.
        if (++restarts > 1) throw new DownloadError('server')
        await store.clear(file.url)
        row = { ...(await serverSize(row, f, signal)), updatedAt: now() }
        await store.save(row)
        onProgress?.(0, row.bytes)
        continue
      }
      if (err instanceof DownloadError) throw err
      if (++failures > maxRetries) throw new DownloadError('network')
      await sleep(Math.min(30_000, 500 * 2 ** failures), signal)
    }
  }
  row = { ...row, state: 'done', updatedAt: now() }
  await store.save(row)
  return row
}

function fresh(file: VideoFile, chunkBytes: number, at: number): VideoDownloadRow {
  const row: VideoDownloadRow = { url: file.url, lessonId: file.lessonId, title: file.title, bytes: file.bytes, etag: null, chunkBytes, chunks: 0, state: 'downloading', updatedAt: at }
  return file.kind ? { ...row, kind: file.kind } : row
}

/** The file's size now, from a one-byte range (Content-Range: bytes 0-0/size). */
async function serverSize(row: VideoDownloadRow, f: typeof fetch, signal?: AbortSignal): Promise<VideoDownloadRow> {
  const res = await f(row.url, { headers: { range: 'bytes=0-0' }, signal, cache: 'no-store' })
  if (res.status === 404 || res.status === 410) throw new DownloadError('gone')
  const total = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1])
  if (res.status !== 206 || !(total > 0)) throw new DownloadError('server')
  await res.arrayBuffer()
  return { ...row, bytes: total, etag: null, chunks: 0 }
}

async function pause(store: ChunkStore, row: VideoDownloadRow, at: number): Promise<VideoDownloadRow> {
  const paused = { ...row, state: 'paused' as const, updatedAt: at }
  await store.save(paused)
  return paused
}
