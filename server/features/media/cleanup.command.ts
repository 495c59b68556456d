/**
 * `npm run media:cleanup [-- --dry-run]`: removes uploads no draft, version or published item
 * mentions and nobody stored in the last MEDIA_CLEANUP_GRACE_DAYS (7) days (mediaCleanup.ts).
 * Reads DATABASE_URL and MEDIA_STORE_DIR like the server; the server also runs it once a day.
 */
import { resolve } from 'node:path'
import { connect, databaseUrlFromEnv } from '../../db/connect.ts'
import { cleanUnusedUploads, cleanupGraceFromEnv } from './mediaCleanup.ts'
import { localMediaStore, MEDIA_STORE_DIR } from './mediaStore.ts'

const dryRun = process.argv.includes('--dry-run')
// `off` stops the server's daily run, not this command: it then keeps the default week.
const graceMs = cleanupGraceFromEnv({ ...process.env, MEDIA_CLEANUP_GRACE_DAYS: process.env.MEDIA_CLEANUP_GRACE_DAYS === 'off' ? undefined : process.env.MEDIA_CLEANUP_GRACE_DAYS })!
const handle = connect({ url: databaseUrlFromEnv() })
try {
  const r = await cleanUnusedUploads(handle.db, localMediaStore(resolve(process.env.MEDIA_STORE_DIR ?? MEDIA_STORE_DIR)), { graceMs, dryRun })
  console.log(`${dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} unused uploads (${(r.bytes / 1e6).toFixed(1)} MB); ${r.kept} kept.`)
  for (const key of r.removed) console.log(`  ${key}`)
} finally {
  await handle.db.destroy()
}
