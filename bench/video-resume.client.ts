/**
 * The phone half of bench/video-resume.ts, in its own process (it drives the PWA's downloader,
 * which the server-side type check does not cover). Downloads `url` with the real chunk
 * downloader into an in-memory store and prints JSON: state and the SHA-256 of what it stored.
 * Usage: node --import tsx bench/video-resume.client.ts <url> <bytes>
 */
import type { VideoDownloadRow } from '@/db/db.ts'
import { downloadVideo, type ChunkStore } from '@/features/library/video/chunkDownload.ts'

const [url, bytesArg] = (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2)
const bytes = Number(bytesArg)

const rows = new Map<string, VideoDownloadRow>()
const chunks = new Map<number, ArrayBuffer>()
const store: ChunkStore = {
  get: async (u) => rows.get(u),
  save: async (row) => void rows.set(row.url, row),
  putChunk: async (row, index, data) => {
    chunks.set(index, data)
    rows.set(row.url, row)
  },
  clear: async (u) => {
    rows.delete(u)
    chunks.clear()
  },
}

const row = await downloadVideo({ url: url!, lessonId: 'bench', title: 'bench', bytes }, { store, sleep: async () => {} })
const whole = new Uint8Array(row.bytes)
for (const [index, data] of chunks) whole.set(new Uint8Array(data), index * row.chunkBytes)
const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', whole))
console.log(JSON.stringify({ state: row.state, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') }))
