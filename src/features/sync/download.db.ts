import { db } from '@/db/db.ts'
import type { PullResponse } from '@/protocol/content.ts'

/** How far the phone's first download of study content is: done once a first pull completed. */
export interface FirstDownload {
  done: boolean
  percent: number
}

/** Apart from pull.db.ts, which the first screen loads: only home and 我的 read this. */
export async function loadFirstDownload(): Promise<FirstDownload> {
  // The keys pull.db.ts stores each page's cursor and progress hint under.
  const [cursor, progress] = await db.meta.bulkGet(['pullCursor', 'pullProgress'])
  if (!cursor) return { done: false, percent: 0 }
  const p = progress?.value as NonNullable<PullResponse['progress']> | undefined
  return p && p.done < p.total ? { done: false, percent: Math.min(99, Math.floor((100 * p.done) / Math.max(1, p.total))) } : { done: true, percent: 100 }
}
