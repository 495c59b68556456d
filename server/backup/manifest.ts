/**
 * A backup is a directory: `manifest.json` (what it holds, from which schema, every file with its
 * size and SHA-256), `manifest.json.sha256` (the manifest's own checksum, in `sha256sum` format,
 * so `sha256sum -c manifest.json.sha256` works by hand), `database.sqlite` or `database.pgdump`,
 * `media/…` (content/media) and `uploads/…` (the studio's media store). It is written under a temporary name and renamed when complete, so a directory
 * with this name is always a whole backup; the checksums find a later corruption or truncation.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Dialect } from '../db/connect.ts'

export const FORMAT = 'pocket-party-school-backup'
export const MANIFEST = 'manifest.json'
export const MANIFEST_SUM = 'manifest.json.sha256'

export interface BackupFile {
  /** Relative to the backup directory, with forward slashes. */
  path: string
  bytes: number
  sha256: string
}

export interface Manifest {
  format: typeof FORMAT
  formatVersion: 1
  createdAt: string
  dialect: Dialect
  /** The migrations applied in the backed-up database: its schema, by name. */
  migrations: string[]
  /** The database file first, then the media. */
  files: BackupFile[]
}

/** A refusal an operator can act on: the CLI prints the message alone, no stack. */
export class BackupError extends Error {}

export function databaseFileName(dialect: Dialect): string {
  return dialect === 'sqlite' ? 'database.sqlite' : 'database.pgdump'
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** Copies a file (streamed: media may be video) and returns the checksum of what was written. */
export async function copyWithSum(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  await mkdir(dirname(to), { recursive: true })
  const hash = createHash('sha256')
  let bytes = 0
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx' }))
  return { sha256: hash.digest('hex'), bytes }
}

/** Every file under a directory, as paths relative to it (none when it does not exist). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  async function walk(dir: string): Promise<void> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const e of entries) {
      const full = join(dir, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isFile()) out.push(relative(root, full).split(sep).join('/'))
    }
  }
  await walk(root)
  return out.sort()
}

/** A manifest path that stays inside the backup (a crafted `../` must not reach elsewhere). */
function safeRelative(path: string): boolean {
  return typeof path === 'string' && path !== '' && !isAbsolute(path) && !normalize(path).split(/[\\/]/).includes('..')
}

/**
 * Reads and checks a backup before anything is restored from it: the manifest against its
 * checksum, then every file against the manifest (size and SHA-256). Throws BackupError naming
 * the first thing wrong.
 */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) throw new BackupError(`${dir} is not a backup directory (made by npm run db:backup)`)
  const sumLine = await readFile(join(dir, MANIFEST_SUM), 'utf8').catch(() => {
    throw new BackupError(`${MANIFEST_SUM} is missing in ${dir}: not a complete backup`)
  })
  const text = await readFile(join(dir, MANIFEST)).catch(() => {
    throw new BackupError(`${MANIFEST} is missing in ${dir}: not a complete backup`)
  })
  if (sumLine.split(/\s+/)[0] !== createHash('sha256').update(text).digest('hex')) {
    throw new BackupError(`${MANIFEST} does not match its checksum: the backup is damaged`)
  }
  const manifest = JSON.parse(text.toString('utf8')) as Manifest
  if (manifest.format !== FORMAT || manifest.formatVersion !== 1 || !Array.isArray(manifest.files) || !Array.isArray(manifest.migrations)) {
    throw new BackupError(`${MANIFEST} is not a backup manifest this version can read`)
  }
  const dbFile = databaseFileName(manifest.dialect)
  if (manifest.files[0]?.path !== dbFile) throw new BackupError(`the backup lists no ${dbFile}`)
  for (const f of manifest.files) {
    if (!safeRelative(f.path)) throw new BackupError(`the manifest names a file outside the backup: ${String(f.path)}`)
    const actual = await sha256File(join(dir, f.path)).catch(() => undefined)
    if (!actual) throw new BackupError(`${f.path} is missing from the backup`)
    if (actual.bytes !== f.bytes) throw new BackupError(`${f.path} has ${actual.bytes} bytes, the manifest says ${f.bytes}: the backup is truncated or damaged`)
    if (actual.sha256 !== f.sha256) throw new BackupError(`${f.path} does not match its checksum: the backup is damaged`)
  }
  return manifest
}
