/**
 * The answer the service worker gives a <video> element for a downloaded lesson video, built from
 * the chunks the downloader stored (src/sw/videoChunks.ts registers it). Apart from the service
 * worker so unit tests can run it. A video that is not fully downloaded gets no answer here and
 * goes to the network: never a mix of stored and fetched bytes.
 */
import { db, type VideoDownloadRow } from '../../../db/db.ts'

/**
 * An open-ended range ("bytes=0-", what players ask first) gets at most this much: a 206 may be
 * shorter than asked and players then ask for the rest, so a 300 MB video never sits in memory.
 */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024

/** [first, last] byte of a single "bytes=" range of a `size`-byte file; null if unsatisfiable. */
export function parseRange(header: string | null, size: number): [number, number] | null | 'all' {
  if (!header) return 'all'
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return null
  if (m[1] === '') {
    const suffix = Number(m[2])
    return suffix > 0 ? [Math.max(0, size - suffix), size - 1] : null
  }
  const first = Number(m[1])
  if (first >= size) return null
  const last = m[2] === '' ? Math.min(size - 1, first + MAX_ANSWER_BYTES - 1) : Math.min(size - 1, Number(m[2]))
  return last < first ? null : [first, last]
}

async function bytesOf(row: VideoDownloadRow, first: number, last: number): Promise<Uint8Array<ArrayBuffer>> {
  const from = Math.floor(first / row.chunkBytes)
  const to = Math.floor(last / row.chunkBytes)
  const keys = Array.from({ length: to - from + 1 }, (_, i) => [row.url, from + i] as [string, number])
  const chunks = await db.videoChunks.bulkGet(keys)
  if (chunks.some((c) => !c)) throw new Error(`video ${row.url}: a stored chunk is missing`)
  const out = new Uint8Array(last - first + 1)
  chunks.forEach((c, i) => {
    const start = (from + i) * row.chunkBytes
    const piece = new Uint8Array(c!.data).subarray(Math.max(0, first - start), Math.min(c!.data.byteLength, last - start + 1))
    out.set(piece, Math.max(0, start - first))
  })
  return out
}

/** The answer for a request of a downloaded video, or undefined to use the network. */
export async function answerFromChunks(request: Request): Promise<Response | undefined> {
  const url = new URL(request.url)
  const row = await db.videoDownloads.get(url.pathname + url.search)
  if (row?.state !== 'done') return undefined
  const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', etag: row.etag ?? '' }
  const range = parseRange(request.headers.get('range'), row.bytes)
  if (range === null) return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${row.bytes}` } })
  const [first, last] = range === 'all' ? [0, row.bytes - 1] : range
  const body = await bytesOf(row, first, last)
  if (range === 'all') return new Response(body, { status: 200, headers: { ...headers, 'content-length': String(row.bytes) } })
  return new Response(body, {
    status: 206,
    headers: { ...headers, 'content-length': String(body.length), 'content-range': `bytes ${first}-${last}/${row.bytes}` },
  })
}

