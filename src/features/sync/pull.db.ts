import { db } from '@/db/db.ts'
import type { PullChange, PullResponse } from '@/protocol/content.ts'

const CURSOR_KEY = 'pullCursor'
const PULLED_AT_KEY = 'pulledAt'

const TABLES = {
  course: () => db.courses,
  lesson: () => db.lessons,
  pocketCategory: () => db.pocketCategories,
  pocketEntry: () => db.pocketEntries,
  assignment: () => db.assignments,
  question: () => db.questions,
  quiz: () => db.quizzes,
} as const

export async function loadPullCursor(): Promise<string | undefined> {
  return (await db.meta.get(CURSOR_KEY))?.value as string | undefined
}

export async function loadPulledAt(): Promise<number | undefined> {
  return (await db.meta.get(PULLED_AT_KEY))?.value as number | undefined
}

/**
 * Writes one page and its cursor in ONE transaction: if the app dies half-way, neither is
 * stored, so the next pull asks for the same page again (a page is repeated, never skipped).
 * Bulk writes keep a 500-row page to a few milliseconds.
 */
export async function applyPullPage(page: PullResponse, now = Date.now()): Promise<void> {
  const tables = Object.values(TABLES).map((t) => t())
  await db.transaction('rw', [...tables, db.meta], async () => {
    const groups = new Map<PullChange['type'], { put: unknown[]; del: string[] }>()
    for (const c of page.changes) {
      let g = groups.get(c.type)
      if (!g) groups.set(c.type, (g = { put: [], del: [] }))
      if (c.data) g.put.push(c.data)
      else g.del.push(c.id)
    }
    for (const [type, g] of groups) {
      const table = TABLES[type]() as unknown as { bulkPut(rows: unknown[]): Promise<unknown>; bulkDelete(keys: string[]): Promise<void> }
      if (g.put.length) await table.bulkPut(g.put)
      if (g.del.length) await table.bulkDelete(g.del)
    }
    await db.meta.bulkPut([
      { key: CURSOR_KEY, value: page.cursor },
      { key: PULLED_AT_KEY, value: now },
    ])
  })
}

const OWNER_KEY = 'pullOwner'

/**
 * Content is scoped by organisation, so a cursor belongs to the person it was pulled for. When
 * someone else signs in on this phone, the cached content and cursor are dropped and the next
 * pull starts from scratch. Returns the cursor to pull from.
 */
export async function cursorFor(personId: string | undefined): Promise<string | undefined> {
  const tables = Object.values(TABLES).map((t) => t())
  return db.transaction('rw', [...tables, db.meta, db.searchIndex], async () => {
    const owner = (await db.meta.get(OWNER_KEY))?.value as string | undefined
    if (personId && owner !== personId) {
      await Promise.all(tables.map((t) => t.clear()))
      await db.searchIndex.clear()
      await db.meta.bulkDelete([CURSOR_KEY, PULLED_AT_KEY])
      await db.meta.put({ key: OWNER_KEY, value: personId })
      return undefined
    }
    return (await db.meta.get(CURSOR_KEY))?.value as string | undefined
  })
}

/** The signed-in person, read from the stored session. */
export async function signedInPerson(): Promise<string | undefined> {
  const session = (await db.meta.get('session'))?.value as { profile?: { id?: string } } | undefined
  return session?.profile?.id
}
