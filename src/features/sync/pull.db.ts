import { db } from '@/db/db.ts'
import type { PullChange, PullResponse, PullType } from '@/protocol/content.ts'

const CURSOR_KEY = 'pullCursor'
const PULLED_AT_KEY = 'pulledAt'
/** An unfinished reset: its tables and the "type:id" of every live row it has sent so far. */
const RESET_KEY = 'pullReset'
/** A first pull under way: the server's progress hint of its last stored page. */
const PROGRESS_KEY = 'pullProgress'

interface ResetProgress {
  types: PullType[]
  received: string[]
}

/** A row a reset's sweep deleted: the server no longer sends it to this person. */
export interface SweptRow {
  type: PullType
  id: string
}

/** The Dexie table each pulled type is cached in. */
export const TABLES = {
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
 *
 * During a reset (what the person may see changed) the rows the phone has stay readable, so
 * the member can go on studying; the ids each page sends are recorded in the same transaction,
 * and the last page deletes the rows of the reset's tables that it never sent. A crash
 * mid-reset resumes from the stored cursor with the stored record, and still sweeps at the end.
 * Returns the rows the sweep deleted (none on any other page).
 */
export async function applyPullPage(page: PullResponse, now = Date.now()): Promise<SweptRow[]> {
  const tables = Object.values(TABLES).map((t) => t())
  return db.transaction('rw', [...tables, db.meta], async () => {
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
    const swept = page.reset ? await followReset(page.reset, page) : (await db.meta.delete(RESET_KEY), [])
    await db.meta.bulkPut([
      { key: CURSOR_KEY, value: page.cursor },
      // The progress home shows (download.db.ts), stored with the page it describes.
      { key: PROGRESS_KEY, value: page.progress },
      { key: PULLED_AT_KEY, value: now },
    ])
    return swept
  })
}

/** Call inside applyPullPage's transaction, after the page's rows are written. */
async function followReset(reset: NonNullable<PullResponse['reset']>, page: PullResponse): Promise<SweptRow[]> {
  const stored = reset.begins ? undefined : ((await db.meta.get(RESET_KEY))?.value as ResetProgress | undefined)
  const received = new Set(stored?.received)
  const types = new Set(reset.types)
  for (const c of page.changes) {
    if (!types.has(c.type)) continue
    if (c.data) received.add(`${c.type}:${c.id}`)
    else received.delete(`${c.type}:${c.id}`)
  }
  if (page.more) {
    await db.meta.put({ key: RESET_KEY, value: { types: reset.types, received: [...received] } satisfies ResetProgress })
    return []
  }
  const swept: SweptRow[] = []
  for (const type of types) {
    const table = TABLES[type]() as unknown as { toCollection(): { primaryKeys(): Promise<string[]> }; bulkDelete(keys: string[]): Promise<void> }
    const gone = (await table.toCollection().primaryKeys()).filter((id) => !received.has(`${type}:${id}`))
    await table.bulkDelete(gone)
    swept.push(...gone.map((id) => ({ type, id })))
  }
  await db.meta.delete(RESET_KEY)
  return swept
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
      await db.meta.bulkDelete([CURSOR_KEY, PULLED_AT_KEY, RESET_KEY])
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
