/**
 * `npm run content:import [folder]`: loads content/ into the database in one transaction.
 * A malformed file stops the import with "file:line: what is wrong" and nothing is written.
 */
import { resolve } from 'node:path'
import type { Kysely } from 'kysely'
import { connect } from '../../db/connect.ts'
import type { Database } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { parseContent } from './content.parse.ts'
import { applyContent, rootOrgUnit, type ImportSummary } from './content.repository.ts'
import { localMediaStore, MEDIA_STORE_DIR } from '../media/mediaStore.ts'
import { ffmpegAvailable } from '../video/ffmpeg.ts'
import { queueImportedVideos } from '../video/videoImport.ts'
import { runVideoJobs } from '../video/videoWorker.ts'

export const CONTENT_DIR = resolve(import.meta.dirname, '../../../content')

/**
 * Parses everything first, then writes in one transaction. Throws ContentError on a bad file.
 * Videos not processed yet are queued (features/video/): a running server's worker, or the
 * command below, makes their posters and data-saver renditions.
 */
export async function importContent(
  db: Kysely<Database>,
  dir = CONTENT_DIR,
  now = Date.now(),
  { ffmpeg = ffmpegAvailable() }: { ffmpeg?: boolean } = {},
): Promise<ImportSummary> {
  const parsed = parseContent(dir)
  const orgUnitId = await rootOrgUnit(db)
  if (!orgUnitId) throw new Error('The database has no organisation yet: start the server once (npm start) to seed it.')
  const summary = await applyContent(db, parsed, { orgUnitId, now })
  await queueImportedVideos(db, parsed.videos, ffmpeg, now)
  return summary
}

async function main(): Promise<void> {
  const handle = connect({ url: process.env.DATABASE_URL ?? resolve('data/pocket-party-school.sqlite') })
  try {
    await migrateToLatest(handle.db)
    const dir = resolve(process.argv[2] ?? CONTENT_DIR)
    const s = await importContent(handle.db, dir)
    console.log(`content imported from ${dir}: ${s.inserted} new, ${s.updated} changed, ${s.deleted} deleted, ${s.unchanged} unchanged`)
    // The same jobs a server's worker runs, claimed through the queue: a running server does not do them twice.
    const ffmpeg = ffmpegAvailable()
    const ran = await runVideoJobs({ db: handle.db, store: localMediaStore(MEDIA_STORE_DIR), ffmpeg, onError: (err) => console.error(`video processing failed: ${String(err)}`) })
    if (ran > 0) {
      console.log(`videos processed: ${ran}`)
      if (!ffmpeg) console.log('ffmpeg is not installed: videos are served as imported (no poster, no data-saver version); see docs/video.md')
    }
  } catch (err) {
    console.error(`content import aborted, nothing was changed:\n  ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  } finally {
    await handle.db.destroy()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main()
