/**
 * `npm run db:backup` and the server's backup schedule: an online, consistent backup of the
 * database and the media, written atomically (manifest.ts describes the layout).
 *
 * SQLite: the online backup API copies pages in steps and yields to the event loop between them,
 * so a server taking its own backup keeps answering. Writes made meanwhile on the same connection
 * are carried into the copy by SQLite itself, so the result is the database as committed when
 * the last step ran. From another process (the CLI beside a running server) a write would
 * restart a stepped copy, so the CLI copies all pages in one step: one read transaction, which
 * in WAL mode never blocks the server's writes.
 * PostgreSQL: `pg_dump` (custom format) from one snapshot; it must be installed beside the server.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { randomBytes, createHash } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import type { Dialect } from '../db/connect.ts'
import { BackupError, copyWithSum, databaseFileName, FORMAT, listFiles, MANIFEST, MANIFEST_SUM, sha256File, type BackupFile, type Manifest } from './manifest.ts'

export interface BackupSource {
  dialect: Dialect
  /** SQLite: the live connection (server, tests) … */
  sqlite?: SQLite.Database
  /** … or the file path (CLI); PostgreSQL: the connection URL. */
  url?: string
}

export interface BackupOptions {
  /** The backup directory to create; it must not exist yet. */
  dest: string
  mediaDir: string
  /** The media store's folder (studio uploads, MEDIA_STORE_DIR), kept under `uploads/`. */
  uploadsDir?: string
  /** SQLite pages per step with the live connection (a page is 4 KiB); smaller steps yield more often. */
  pagesPerStep?: number
}

/** `pps-<dialect>-20261203T121500123Z`: sorts by time, which the schedule's pruning relies on. */
export function backupName(dialect: Dialect, at = new Date()): string {
  return `pps-${dialect}-${at.toISOString().replace(/[-:.]/g, '')}`
}

export async function createBackup(source: BackupSource, { dest, mediaDir, uploadsDir, pagesPerStep = 100 }: BackupOptions): Promise<Manifest> {
  const tmp = join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(4).toString('hex')}`)
  await mkdir(tmp, { recursive: true })
  try {
    const dbFile = databaseFileName(source.dialect)
    const migrations =
      source.dialect === 'sqlite'
        ? await backupSqlite(source, join(tmp, dbFile), pagesPerStep)
        : await backupPostgres(source.url!, join(tmp, dbFile))
    const files: BackupFile[] = [{ path: dbFile, ...(await sha256File(join(tmp, dbFile))) }]
    for (const rel of await listFiles(mediaDir)) {
      files.push({ path: `media/${rel}`, ...(await copyWithSum(join(mediaDir, rel), join(tmp, 'media', rel))) })
    }
    // Uploads are objects that never change once written: a write in progress (.tmp) is not one yet.
    for (const rel of uploadsDir ? (await listFiles(uploadsDir)).filter((f) => !f.endsWith('.tmp')) : []) {
      files.push({ path: `uploads/${rel}`, ...(await copyWithSum(join(uploadsDir!, rel), join(tmp, 'uploads', rel))) })
    }
    const manifest: Manifest = { format: FORMAT, formatVersion: 1, createdAt: new Date().toISOString(), dialect: source.dialect, migrations, files }
    const text = JSON.stringify(manifest, null, 2)
    await writeDurably(join(tmp, MANIFEST), text)
    await writeDurably(join(tmp, MANIFEST_SUM), `${createHash('sha256').update(text).digest('hex')}  ${MANIFEST}\n`)
    await rename(tmp, dest).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOTEMPTY' || err.code === 'EEXIST' ? new BackupError(`${dest} already exists: choose a new name`) : err
    })
    return manifest
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function backupSqlite(source: BackupSource, file: string, pagesPerStep: number): Promise<string[]> {
  const live = source.sqlite
  if (!live && !existsSync(source.url!)) throw new BackupError(`${source.url} does not exist: is DATABASE_URL right?`)
  const conn = live ?? new SQLite(source.url!, { readonly: true, fileMustExist: true })
  try {
    // The live connection steps (and yields); a separate one takes every page in one step.
    await conn.backup(file, { progress: () => (live ? pagesPerStep : 0x7fffffff) })
  } finally {
    if (!live) conn.close()
  }
  // The copy is a single self-contained file: out of WAL mode, so no -wal/-shm files beside it.
  const copy = new SQLite(file)
  try {
    copy.pragma('journal_mode = DELETE')
    return (copy.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name)
  } finally {
    copy.close()
  }
}

async function backupPostgres(url: string, file: string): Promise<string[]> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  let migrations: string[]
  try {
    migrations = (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows.map((r) => r.name)
  } finally {
    await client.end()
  }
  await runPgTool('pg_dump', ['--format=custom', '--no-owner', '--no-acl', `--file=${file}`], url)
  return migrations
}

/**
 * Runs pg_dump / pg_restore against a URL. The password goes in PGPASSWORD, not the command line,
 * where any user of the machine could read it in the process list.
 */
export async function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const u = new URL(url)
  const password = decodeURIComponent(u.password)
  u.password = ''
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${u.toString()}`], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new BackupError(`${tool} was not found: install the PostgreSQL client tools of your server's version (Debian/Ubuntu: apt install postgresql-client) and run again`)
          : err,
      ),
    )
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupError(`${tool} failed (exit ${code}): ${stderr.trim()}`))))
  })
}
