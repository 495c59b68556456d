import { db } from '@/db/db.ts'
import type { Lesson, PocketEntry } from '@/protocol/content.ts'

/** The saved index as the search store uses it: its JSON and the pull cursor it reflects. */
export interface SavedIndex {
  cursor: string
  json: string
}

// Gzip where the browser has CompressionStream (all current ones): the index JSON is mostly
// repeated digits and brackets, so it shrinks several times over, and reading fewer bytes out of
// IndexedDB is what a cheap phone's slow storage pays for. Older browsers keep the plain string.
const canGzip = typeof CompressionStream === 'function' && typeof DecompressionStream === 'function'

async function through(bytes: BufferSource | string, stream: CompressionStream | DecompressionStream): Promise<ArrayBuffer> {
  return new Response(new Response(bytes).body!.pipeThrough(stream)).arrayBuffer()
}

export async function loadSearchIndex(): Promise<SavedIndex | undefined> {
  const row = await db.searchIndex.get('main')
  if (!row) return undefined
  if (row.json !== undefined) return { cursor: row.cursor, json: row.json }
  if (!row.gzip || !canGzip) return undefined
  return { cursor: row.cursor, json: new TextDecoder().decode(await through(row.gzip, new DecompressionStream('gzip'))) }
}

export async function saveSearchIndex(cursor: string, json: string): Promise<void> {
  const gzip = canGzip ? new Uint8Array(await through(json, new CompressionStream('gzip'))) : undefined
  await db.searchIndex.put(gzip ? { key: 'main', cursor, gzip } : { key: 'main', cursor, json })
}

/** Everything the index holds, read in one transaction so it matches one cursor. */
export async function loadIndexSource(): Promise<{ cursor: string | undefined; entries: PocketEntry[]; lessons: Lesson[] }> {
  return db.transaction('r', [db.meta, db.pocketEntries, db.lessons], async () => ({
    cursor: (await db.meta.get('pullCursor'))?.value as string | undefined,
    entries: await db.pocketEntries.toArray(),
    lessons: await db.lessons.toArray(),
  }))
}

/** Title and body of each hit's row (the index stores neither), by document id. */
export async function loadRows(ids: { kind: 'entry' | 'lesson'; refId: string }[]): Promise<Map<string, { title: string; body: string }>> {
  const entryIds = ids.filter((i) => i.kind === 'entry').map((i) => i.refId)
  const lessonIds = ids.filter((i) => i.kind === 'lesson').map((i) => i.refId)
  const [entries, lessons] = await Promise.all([db.pocketEntries.bulkGet(entryIds), db.lessons.bulkGet(lessonIds)])
  const out = new Map<string, { title: string; body: string }>()
  entries.forEach((e) => e && out.set(`entry:${e.id}`, e))
  lessons.forEach((l) => l && out.set(`lesson:${l.id}`, l))
  return out
}
