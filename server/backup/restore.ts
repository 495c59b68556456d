/**
 * `npm run db:restore <backup>`: puts a backup back, into an EMPTY database only (never over
 * data). Everything that can refuse does so before anything is written: the checksums of the
 * whole backup, the dialect, a schema newer than this code, a target that is not empty.
 */
import { randomBytes } from 'node:crypto'
import { access, copyFile, mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { isPostgresUrl } from '../db/connect.ts'
import { knownMigrations } from '../db/migrate.ts'
import { runPgTool } from './backup.ts'
import { BackupError, databaseFileName, sha256File, verifyBackup, type Manifest } from './manifest.ts'

export interface RestoreOptions {
  /** The backup directory. */
  from: string
  /** A SQLite file path or a postgres:// URL, as DATABASE_URL. */
  to: string
  mediaDir: string
  /** The media store's folder (MEDIA_STORE_DIR): the backup's `uploads/` go there. */
  uploadsDir?: string
}

export async function restoreBackup({ from, to, mediaDir, uploadsDir }: RestoreOptions): Promise<Manifest> {
  const manifest = await verifyBackup(from)
  const dialect = isPostgresUrl(to) ? 'postgres' : 'sqlite'
  if (manifest.dialect !== dialect) {
    throw new BackupError(
      `this is a ${manifest.dialect} backup and the target is ${dialect}: restore it into a ${manifest.dialect} database` +
        (manifest.dialect === 'sqlite' ? ' (a SQLite file), then move it with npm run db:copy' : ''),
    )
  }
  const known = new Set(knownMigrations())
  const unknown = manifest.migrations.filter((m) => !known.has(m))
  if (unknown.length > 0) {
    throw new BackupError(`the backup's schema is newer than this version of the server knows (migrations ${unknown.join(', ')}): upgrade the server first, then restore`)
  }
  const dbFile = join(from, databaseFileName(dialect))
  if (dialect === 'sqlite') await restoreSqlite(dbFile, to, manifest.files[0]!.sha256)
  else await restorePostgres(dbFile, to)
  await skipVersionsAhead(to)
  await restoreFiles(from, manifest, 'media/', mediaDir)
  if (uploadsDir) await restoreFiles(from, manifest, 'uploads/', uploadsDir)
  return manifest
}

async function restoreSqlite(backupFile: string, target: string, sha256: string): Promise<void> {
  if (await exists(target)) {
    const db = new SQLite(target, { fileMustExist: true })
    const tables = (db.prepare(`select count(*) as n from sqlite_master where type = 'table'`).get() as { n: number }).n
    db.close()
    if (tables > 0) throw new BackupError(`${target} already holds a database: restore needs an empty one (move the file away first)`)
    // An empty file and its journal go, so no stale write-ahead log is replayed onto the restore.
    for (const f of [target, `${target}-wal`, `${target}-shm`]) await rm(f, { force: true })
  }
  await mkdir(dirname(target), { recursive: true })
  const tmp = `${target}.restore-${randomBytes(4).toString('hex')}`
  try {
    await copyFile(backupFile, tmp)
    if ((await sha256File(tmp)).sha256 !== sha256) throw new BackupError(`the copy of the database at ${tmp} does not match the backup: disk full or failing?`)
    await rename(tmp, target)
  } finally {
    await rm(tmp, { force: true })
  }
}

async function restorePostgres(dumpFile: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    )
    if (Number(rows[0]!.n) > 0) throw new BackupError('the target PostgreSQL database already has tables: restore needs an empty database (createdb a new one)')
  } finally {
    await client.end()
  }
  // One transaction: a failure half-way leaves the database as empty as it was.
  await runPgTool('pg_restore', ['--no-owner', '--no-acl', '--single-transaction', '--exit-on-error', dumpFile], url)
}

/**
 * Phones that pulled after the backup was taken hold cursors past the restored sync version.
 * Changes made from now on must get versions above those cursors, or such phones would never
 * pull them: the sequence jumps ahead by far more versions than a server hands out between two
 * backups (versions have room for 10^15; a jump per restore costs nothing).
 */
export const VERSION_JUMP = 1_000_000_000

async function skipVersionsAhead(to: string): Promise<void> {
  if (isPostgresUrl(to)) {
    const client = new pg.Client({ connectionString: to })
    await client.connect()
    try {
      await client.query(`select setval('sync_version_seq', (select last_value from sync_version_seq) + ${VERSION_JUMP})`)
    } finally {
      await client.end()
    }
    return
  }
  const db = new SQLite(to, { fileMustExist: true })
  try {
    db.prepare('update sync_version_counter set value = value + ? where id = 1').run(VERSION_JUMP)
  } finally {
    db.close()
  }
}

/** Files the backup holds under `prefix` are put back into `dir`; identical ones already there are left alone. */
async function restoreFiles(from: string, manifest: Manifest, prefix: 'media/' | 'uploads/', dir: string): Promise<void> {
  for (const f of manifest.files.filter((x) => x.path.startsWith(prefix))) {
    const dest = join(dir, f.path.slice(prefix.length))
    if ((await sha256File(dest).catch(() => undefined))?.sha256 === f.sha256) continue
    await mkdir(dirname(dest), { recursive: true })
    const tmp = `${dest}.restore-${randomBytes(4).toString('hex')}`
    await copyFile(join(from, f.path), tmp)
    await rename(tmp, dest)
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
