import { db, type DownloadRow } from '@/db/db.ts'

export const downloadsDb = {
  list: (): Promise<DownloadRow[]> => db.downloads.toArray(),
  save: (row: DownloadRow) => db.downloads.put(structuredClone(row)),
  remove: (courseId: string) => db.downloads.delete(courseId),
  count: () => db.downloads.count(),
}
