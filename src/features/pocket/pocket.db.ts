import { db } from '@/db/db.ts'
import type { PocketCategory, PocketEntry } from '@/protocol/content.ts'

export type EntryMeta = Pick<PocketEntry, 'id' | 'title' | 'category' | 'tags'>

const meta = (e: PocketEntry): EntryMeta => ({ id: e.id, title: e.title, category: e.category, tags: e.tags })

export const pocketDb = {
  categories: async (): Promise<PocketCategory[]> => (await db.pocketCategories.toArray()).sort((a, b) => a.order - b.order),
  /** Entries per category, counted without loading their text. */
  counts: async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {}
    await db.pocketEntries.orderBy('category').eachKey((k) => {
      out[String(k)] = (out[String(k)] ?? 0) + 1
    })
    return out
  },
  entriesOf: async (category: string): Promise<EntryMeta[]> =>
    (await db.pocketEntries.where('category').equals(category).sortBy('id')).map(meta),
  entry: (id: string) => db.pocketEntries.get(id),
  count: () => db.pocketEntries.count(),
  /** The n-th entry in id order (for "today's entry" and "random entry"). */
  nth: async (n: number): Promise<EntryMeta | undefined> => {
    const e = await db.pocketEntries.orderBy('id').offset(n).first()
    return e && meta(e)
  },
}
