import { db, type SearchIndexRow } from '@/db/db.ts'
import type { Lesson, PocketEntry } from '@/protocol/content.ts'

export async function loadSearchIndex(): Promise<SearchIndexRow | undefined> {
  return db.searchIndex.get('main')
}

export async function saveSearchIndex(cursor: string, json: string): Promise<void> {
  await db.searchIndex.put({ key: 'main', cursor, json })
}

/** Everything the index holds, read in one transaction so it matches one cursor. */
export async function loadIndexSource(): Promise<{ cursor: string | undefined; entries: PocketEntry[]; lessons: Lesson[] }> {
  return db.transaction('r', [db.meta, db.pocketEntries, db.lessons], async () => ({
    cursor: (await db.meta.get('pullCursor'))?.value as string | undefined,
    entries: await db.pocketEntries.toArray(),
    lessons: await db.lessons.toArray(),
  }))
}

export async function loadBodies(ids: { kind: 'entry' | 'lesson'; refId: string }[]): Promise<Map<string, string>> {
  const entryIds = ids.filter((i) => i.kind === 'entry').map((i) => i.refId)
  const lessonIds = ids.filter((i) => i.kind === 'lesson').map((i) => i.refId)
  const [entries, lessons] = await Promise.all([db.pocketEntries.bulkGet(entryIds), db.lessons.bulkGet(lessonIds)])
  const out = new Map<string, string>()
  entries.forEach((e) => e && out.set(`entry:${e.id}`, e.body))
  lessons.forEach((l) => l && out.set(`lesson:${l.id}`, l.body))
  return out
}
