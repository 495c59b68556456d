/**
 * Course media in the Cache Storage, where the service worker finds them offline (and answers
 * audio/video range requests from them). The cache name is shared with src/sw.ts.
 */
import type { MediaRef } from '@/protocol/content.ts'

export const MEDIA_CACHE = 'pps-media-v1'

export class QuotaError extends Error {
  constructor() {
    super('The phone has no room left for this download.')
  }
}

/** QuotaExceededError can arrive bare or wrapped (Dexie's AbortError keeps it as `inner`). */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; inner?: unknown } | undefined
  return e?.name === 'QuotaExceededError' || (e?.inner !== undefined && isQuotaError(e.inner))
}

export interface StorageInfo {
  usage: number
  quota: number
}

export async function storageEstimate(): Promise<StorageInfo | undefined> {
  if (!navigator.storage?.estimate) return undefined
  const { usage = 0, quota = 0 } = await navigator.storage.estimate()
  return { usage, quota }
}

/** Asks the browser not to evict our data under storage pressure; true when granted. */
export async function requestPersistence(): Promise<boolean> {
  if (!navigator.storage?.persist) return false
  if (await navigator.storage.persisted()) return true
  return navigator.storage.persist()
}

/**
 * Stores each file, reporting bytes as they arrive. On any failure the files stored by this
 * call are removed again, so a half download never pretends to be complete.
 */
export async function downloadMedia(files: MediaRef[], onProgress: (done: number) => void, signal?: AbortSignal): Promise<void> {
  const cache = await caches.open(MEDIA_CACHE)
  const stored: string[] = []
  let done = 0
  try {
    for (const file of files) {
      if (await cache.match(file.url)) {
        done += file.bytes
        onProgress(done)
        continue
      }
      const res = await fetch(file.url, { signal })
      if (!res.ok || !res.body) throw new Error(`download of ${file.url} failed: HTTP ${res.status}`)
      const reader = res.body.getReader()
      const chunks: Uint8Array[] = []
      for (;;) {
        const { done: end, value } = await reader.read()
        if (end) break
        chunks.push(value)
        done += value.byteLength
        onProgress(done)
      }
      const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
      chunks.reduce((at, c) => (body.set(c, at), at + c.byteLength), 0)
      // A plain 200 with the whole file: the service worker's range plugin cuts 206s from it.
      await cache.put(
        file.url,
        new Response(body, {
          status: 200,
          headers: {
            'content-type': res.headers.get('content-type') ?? 'application/octet-stream',
            'content-length': String(body.byteLength),
            etag: res.headers.get('etag') ?? '',
          },
        }),
      )
      stored.push(file.url)
    }
  } catch (err) {
    await Promise.all(stored.map((u) => cache.delete(u)))
    throw isQuotaError(err) ? new QuotaError() : err
  }
}

export async function removeMedia(urls: string[]): Promise<void> {
  const cache = await caches.open(MEDIA_CACHE)
  await Promise.all(urls.map((u) => cache.delete(u)))
}
