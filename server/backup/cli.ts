/**
 * `npm run db:backup [dir]` and `npm run db:restore <dir>` (docs/operations.md). Both read
 * DATABASE_URL like the server. A refusal prints its reason and exits with 1.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { MEDIA_DIR } from '../app.ts'
import { MEDIA_STORE_DIR } from '../features/media/mediaStore.ts'
import { databaseUrlFromEnv, isPostgresUrl } from '../db/connect.ts'
import { backupName, createBackup } from './backup.ts'
import { BackupError } from './manifest.ts'
import { restoreBackup } from './restore.ts'

const [command, arg] = process.argv.slice(2)
const url = databaseUrlFromEnv()
const dialect = isPostgresUrl(url) ? 'postgres' : 'sqlite'
// Studio uploads (the media store), read like the server does.
const uploadsDir = resolve(process.env.MEDIA_STORE_DIR ?? MEDIA_STORE_DIR)
const where = dialect === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : url

try {
  if (command === 'backup') {
    const dest = resolve(arg ?? join(process.env.BACKUP_DIR ?? 'backups', backupName(dialect)))
    await mkdir(dirname(dest), { recursive: true })
    if (dialect === 'postgres') console.log('PostgreSQL: the backup is made by pg_dump (custom format)…')
    const m = await createBackup({ dialect, url }, { dest, mediaDir: MEDIA_DIR, uploadsDir })
    const bytes = m.files.reduce((n, f) => n + f.bytes, 0)
    console.log(`Backup of ${where} written to ${dest}\n  ${m.files.length - 1} media files and uploads, ${(bytes / 1e6).toFixed(1)} MB, schema ${m.migrations.at(-1)}`)
  } else if (command === 'restore' && arg) {
    const m = await restoreBackup({ from: resolve(arg), to: url, mediaDir: MEDIA_DIR, uploadsDir })
    console.log(`Restored the backup of ${m.createdAt} into ${where} (${m.files.length - 1} media files and uploads).\nStart the server: it applies any newer migrations.`)
  } else {
    console.error('usage: npm run db:backup [backup-dir]   |   npm run db:restore <backup-dir>')
    process.exitCode = 2
  }
} catch (err) {
  if (!(err instanceof BackupError)) throw err
  console.error(`Refused: ${err.message}`)
  process.exitCode = 1
}
