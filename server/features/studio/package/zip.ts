/**
 * Studio packages are zip files. Writing uses fflate's zipSync; reading walks the central
 * directory here, because every entry must be judged on its raw header before one byte is
 * inflated: its name's bytes (fflate decodes names as Latin-1 when the UTF-8 flag is off, which
 * would hide a GBK name), its declared size against the limits, and its compression ratio. Each
 * entry then inflates into a buffer of its declared size, so a header that lies about the size
 * cannot make the server allocate more, and the CRC catches the lie.
 */
import { crc32 } from 'node:zlib'
import { inflateSync, zipSync, type Zippable } from 'fflate'
import { PACKAGE_MAX_BYTES } from '../../../../src/protocol/studioPackage.ts'
import { ApiError } from '../../../shared/errors.ts'

const MB = 1024 * 1024

export const PACKAGE_LIMITS = {
  /** The zip file itself (the route's body limit). */
  maxBytes: PACKAGE_MAX_BYTES,
  /** A 5,000-entry pocket book and its categories fit many times over. */
  maxEntries: 20_000,
  /** All entries inflated together. */
  maxTotalBytes: 500 * MB,
  /** One Markdown or YAML file. */
  maxTextBytes: 1 * MB,
  /** Inflated ÷ compressed, above which an entry over 1 MB is taken for a bomb (text compresses ~5×). */
  maxRatio: 100,
}

const tooLarge = (what: string) => new ApiError(413, 'PACKAGE_TOO_LARGE', what, 'body')
const unreadable = (what: string) => new ApiError(400, 'PACKAGE_UNREADABLE', `The file is not a readable zip package: ${what}.`, 'body')

/** Files of a package by their path inside it (`courses/x/course.md`). */
export type PackageFiles = Map<string, Uint8Array>

/** A zip of the files: text compressed, media (already compressed) stored; fixed times, so the same content gives the same bytes. */
export function writeZip(files: PackageFiles): Uint8Array {
  const tree: Zippable = {}
  const mtime = new Date('2020-01-01T00:00:00Z')
  for (const [path, bytes] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    tree[path] = [bytes, { level: /\.(md|ya?ml)$/.test(path) ? 6 : 0, mtime }]
  }
  return zipSync(tree)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A path that stays inside the package: relative, `/`-separated, no `..`, no control characters. */
function safePath(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || /[\u0000-\u001f\u007f]/.test(name)) return false
  return name.split('/').every((seg, i, all) => seg !== '..' && seg !== '.' && (seg !== '' || i === all.length - 1))
}

interface Entry {
  name: string
  method: number
  compressed: number
  size: number
  crc: number
  localOffset: number
}

/** The largest a file at this path may be inflated to, or a reason it may not be in a package. */
export type SizeLimit = (path: string) => number | string

/**
 * Reads a package zip into memory after checking every entry's header: 400 for a damaged zip,
 * an unsafe path (`../`, absolute) or a name that is not UTF-8; 413 for too many entries, an entry
 * or a total over the limits, or a ratio only a zip bomb has. Directories are skipped.
 */
export function readZip(zip: Uint8Array, limitOf: SizeLimit): PackageFiles {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const u16 = (o: number) => view.getUint16(o, true)
  const u32 = (o: number) => view.getUint32(o, true)
  let eocd = -1
  for (let o = zip.length - 22; o >= Math.max(0, zip.length - 22 - 0xffff); o--) {
    if (u32(o) === 0x06054b50) {
      eocd = o
      break
    }
  }
  if (eocd < 0) throw unreadable('no end of central directory')
  const count = u16(eocd + 10)
  let at = u32(eocd + 16)
  if (count === 0xffff || at === 0xffffffff) throw unreadable('zip64 packages are not accepted (they are only needed past 4 GB or 65,535 files)')
  if (count > PACKAGE_LIMITS.maxEntries) throw tooLarge(`The package has ${count} files; at most ${PACKAGE_LIMITS.maxEntries} are accepted.`)

  const entries: Entry[] = []
  const seen = new Set<string>()
  let total = 0
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || u32(at) !== 0x02014b50) throw unreadable('a damaged central directory')
    const flags = u16(at + 8)
    const nameLength = u16(at + 28)
    const rawName = zip.subarray(at + 46, at + 46 + nameLength)
    let name: string
    try {
      name = utf8.decode(rawName)
    } catch {
      throw new ApiError(400, 'PACKAGE_NAME_ENCODING', `File ${i + 1} of the package has a name that is not UTF-8 (a zip made with a GBK or other code page): make the zip again with UTF-8 names.`, 'body')
    }
    if (!safePath(name)) throw new ApiError(400, 'PACKAGE_UNSAFE_PATH', `"${name}" is not a plain path inside the package (no "..", no leading "/", no "\\").`, 'body')
    if (flags & 1) throw unreadable(`"${name}" is encrypted`)
    const entry = { name, method: u16(at + 10), crc: u32(at + 16), compressed: u32(at + 20), size: u32(at + 24), localOffset: u32(at + 42) }
    at += 46 + nameLength + u16(at + 30) + u16(at + 32)
    if (name.endsWith('/')) continue
    if (seen.has(name)) throw unreadable(`"${name}" is in it twice`)
    seen.add(name)
    if (entry.method !== 0 && entry.method !== 8) throw unreadable(`"${name}" uses compression method ${entry.method} (stored or deflate only)`)
    const limit = limitOf(name)
    if (typeof limit === 'string') throw new ApiError(400, 'PACKAGE_INVALID', `${name}: ${limit}`, 'body')
    if (entry.size > limit) throw tooLarge(`${name} is ${(entry.size / MB).toFixed(1)} MB inflated; files of its kind may be ${(limit / MB).toFixed(0)} MB.`)
    if (entry.size > MB && entry.size > entry.compressed * PACKAGE_LIMITS.maxRatio) {
      throw tooLarge(`${name} would inflate ${Math.round(entry.size / Math.max(1, entry.compressed))} times over: refused as a zip bomb.`)
    }
    total += entry.size
    if (total > PACKAGE_LIMITS.maxTotalBytes) throw tooLarge(`The package inflates to more than ${PACKAGE_LIMITS.maxTotalBytes / MB} MB.`)
    entries.push(entry)
  }

  const files: PackageFiles = new Map()
  for (const e of entries) {
    if (e.localOffset + 30 > zip.length || u32(e.localOffset) !== 0x04034b50) throw unreadable(`"${e.name}" has no local header`)
    const start = e.localOffset + 30 + u16(e.localOffset + 26) + u16(e.localOffset + 28)
    if (start + e.compressed > zip.length) throw unreadable(`"${e.name}" is cut short`)
    const data = zip.subarray(start, start + e.compressed)
    let bytes: Uint8Array
    if (e.method === 0) {
      if (e.compressed !== e.size) throw unreadable(`"${e.name}" has two sizes`)
      bytes = data
    } else {
      try {
        // Never more than the declared size (checked above): extra output is cut, and the CRC below fails.
        bytes = inflateSync(data, { out: new Uint8Array(e.size) })
      } catch {
        throw unreadable(`"${e.name}" does not inflate`)
      }
    }
    if (bytes.length !== e.size || crc32(bytes) !== e.crc) throw unreadable(`"${e.name}" does not match its checksum`)
    files.set(e.name, bytes)
  }
  return files
}
