/**
 * Clean-up of unused uploads (docs/operations.md): an object of the media store that no row
 * mentions, and that nobody stored within the grace period, is removed. The grace period covers
 * an editor who uploaded an image and has not saved the draft yet, and media a package import
 * stored just before its transaction failed. Every version in the history counts as a mention,
 * so a rollback never finds its images gone.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { UPLOADED_MEDIA_PREFIX, type MediaStore } from './mediaStore.ts'

export const CLEANUP_GRACE_MS = 7 * 86_400_000

/**
 * Tables and columns that may hold a `/media/u/…` URL: published content (tombstones too), studio
 * drafts and every version, video jobs (a video uploaded, not yet in a draft). A feature that
 * stores uploaded media URLs elsewhere adds its columns here.
 */
const REFERENCES = {
  course: ['cover', 'media', 'body'],
  lesson: ['audio', 'video', 'body'],
  pocket_entry: ['body'],
  studio_item: ['draft'],
  studio_version: ['body'],
  video_job: ['original', 'result'],
} as const satisfies { [T in keyof Database]?: readonly (keyof Database[T] & string)[] }

const PAGE = 1000
const KEY = new RegExp(`${UPLOADED_MEDIA_PREFIX.replace(/\//g, '\\/')}([0-9a-f]{2}\\/[0-9a-f]{64}\\.[a-z0-9]{1,8})`, 'g')

/** Every store key any row mentions, read a page at a time (ordered by the primary key, so no row is missed). */
export async function referencedKeys(db: Kysely<Database>): Promise<Set<string>> {
  const keys = new Set<string>()
  for (const [table, columns] of Object.entries(REFERENCES) as [keyof typeof REFERENCES, readonly string[]][]) {
    // studio_version's key is (item_id, number); the others have an id.
    const order = table === 'studio_version' ? ['item_id', 'number'] : ['id']
    for (let offset = 0; ; offset += PAGE) {
      const rows = (await db
        .selectFrom(table)
        .select(columns as never)
        .$call((q) => order.reduce((acc, c) => acc.orderBy(c as never), q))
        .limit(PAGE)
        .offset(offset)
        .execute()) as Record<string, unknown>[]
      for (const row of rows) for (const c of columns) for (const m of String(row[c] ?? '').matchAll(KEY)) keys.add(m[1]!)
      if (rows.length < PAGE) break
    }
  }
  return keys
}

export interface CleanupResult {
  removed: string[]
  bytes: number
  kept: number
}

/** Removes unreferenced objects older than `graceMs`; `dryRun` only reports them. */
export async function cleanUnusedUploads(db: Kysely<Database>, store: MediaStore, { graceMs = CLEANUP_GRACE_MS, now = Date.now(), dryRun = false } = {}): Promise<CleanupResult> {
  // The listing is read before the references: an object stored after the listing is not touched,
  // and one referenced after the references were read is younger than the grace period.
  const objects = []
  for await (const o of store.list()) objects.push(o)
  const used = await referencedKeys(db)
  const result: CleanupResult = { removed: [], bytes: 0, kept: 0 }
  for (const o of objects) {
    if (used.has(o.key) || now - o.writtenAt < graceMs) {
      result.kept++
      continue
    }
    if (!dryRun) await store.remove(o.key)
    result.removed.push(o.key)
    result.bytes += o.bytes
  }
  return result
}

/** MEDIA_CLEANUP_GRACE_DAYS (default 7; `off` turns the daily clean-up off); throws on a value it cannot read. */
export function cleanupGraceFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.MEDIA_CLEANUP_GRACE_DAYS ?? '7'
  if (raw === 'off') return undefined
  const days = Number(raw)
  if (!Number.isFinite(days) || days < 1) throw new Error(`MEDIA_CLEANUP_GRACE_DAYS=${raw}: give a number of days (1 or more), or off`)
  return days * 86_400_000
}
