/**
 * The member's own archive on the phone: the last answer read online for each year they opened,
 * so 我的 → 培训档案 still opens in a dead zone. A personal table (PERSONAL_TABLES): it is
 * emptied when another person signs in on this phone.
 */
import { db, type ArchiveRow } from '@/db/db.ts'

export const archiveDb = {
  get: (personId: string, year: number): Promise<ArchiveRow | undefined> => db.archives.get([personId, year]),
  /** Replaces that year's copy (the server's answer is plain JSON: safe to store as is). */
  put: (row: ArchiveRow): Promise<unknown> => db.archives.put(row),
}
