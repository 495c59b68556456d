/**
 * Abandoned studio uploads (docs/video.md "Upload"): tus keeps an unfinished upload's bytes in
 * the upload folder so it can be continued, which for a closed laptop means forever. An upload
 * that has received no byte for ABANDONED_UPLOAD_MS is deleted with its metadata; the editor who
 * comes back later starts it again (tus-js-client gets 404 and creates a new upload).
 *
 * Idle time, not age: a 4 GB upload over a slow township link may take longer than a day, and
 * keeps its place as long as bytes arrive.
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

export const ABANDONED_UPLOAD_MS = 24 * 3600 * 1000

/** tus upload ids are UUIDs (videoUpload.routes.ts namingFunction): nothing else in the folder is touched. */
const UPLOAD_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.json)?$/

/** Deletes the uploads idle for longer than `maxIdleMs` (data file and `.json` alike); returns how many. */
export async function expireAbandonedUploads(uploadDir: string, maxIdleMs = ABANDONED_UPLOAD_MS, now = Date.now()): Promise<number> {
  const names = await readdir(uploadDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  // The last write to either file of an upload: the data file changes with every PATCH.
  const lastWrite = new Map<string, { at: number; files: string[] }>()
  for (const name of names) {
    const id = UPLOAD_FILE.exec(name)?.[1]
    if (!id) continue
    const at = await stat(join(uploadDir, name)).then((s) => s.mtimeMs, () => 0)
    const seen = lastWrite.get(id) ?? { at: 0, files: [] }
    lastWrite.set(id, { at: Math.max(seen.at, at), files: [...seen.files, name] })
  }
  let removed = 0
  for (const { at, files } of lastWrite.values()) {
    if (now - at <= maxIdleMs) continue
    await Promise.all(files.map((f) => rm(join(uploadDir, f), { force: true })))
    removed++
  }
  return removed
}
