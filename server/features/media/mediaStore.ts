import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile, copyFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

/** One stored object: where it lives and the URL a phone may cache for a year. */
export interface StoredMedia {
  /** Path inside the store, e.g. `ab/abcdef….jpg`: the sha256 of the bytes and their extension. */
  key: string
  /** `/media/u/<key>?v=<hash>`: immutable, so the service worker's media cache never goes stale. */
  url: string
  bytes: number
  sha256: string
}

/**
 * Where uploaded media (studio images, audio, videos and their renditions) live. The local folder is
 * the default; a province puts the same objects on object storage behind a CDN by implementing
 * this interface (docs/studio.md). Content-addressed: the same bytes stored twice are one object,
 * and an object never changes once written, which is what lets phones cache `?v=` URLs for ever.
 */
export interface MediaStore {
  /** Stores bytes held in memory (images, audio: a few MB at most). */
  put(bytes: Uint8Array, ext: string): Promise<StoredMedia>
  /** Stores a finished file on local disk (a large upload assembled by the upload protocol); the file is moved or copied, never read whole into memory. */
  putFile(path: string, ext: string): Promise<StoredMedia>
  /** Size of a stored object, or undefined when it is not there. */
  stat(key: string): Promise<{ bytes: number } | undefined>
  /** Removes an object (a rendition replaced, an unreferenced upload). Absent keys are fine. */
  remove(key: string): Promise<void>
  /** The bytes of a stored image or recording (a package export), or undefined when it is not there. */
  read(key: string): Promise<Uint8Array | undefined>
  /** Every object with its size and when it was written (the clean-up of unused uploads, mediaCleanup.ts). */
  list(): AsyncIterable<{ key: string; bytes: number; writtenAt: number }>
}

/** URL prefix the local store is served at (media.routes.ts). */
export const UPLOADED_MEDIA_PREFIX = '/media/u/'

const EXT = /^[a-z0-9]{1,8}$/

function keyFor(sha256: string, ext: string): string {
  if (!EXT.test(ext)) throw new Error(`bad media extension "${ext}"`)
  return `${sha256.slice(0, 2)}/${sha256}.${ext}`
}

function stored(key: string, sha256: string, bytes: number): StoredMedia {
  return { key, sha256, bytes, url: `${UPLOADED_MEDIA_PREFIX}${key}?v=${sha256.slice(0, 12)}` }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

/** The default store: a folder (MEDIA_STORE_DIR, ./data/media by default) on the server's disk. */
export function localMediaStore(root: string): MediaStore {
  const pathOf = (key: string): string => {
    const path = resolve(root, key)
    if (!path.startsWith(resolve(root) + sep)) throw new Error(`media key outside the store: ${key}`)
    return path
  }
  // Written under a temporary name and renamed: a reader never sees half an object.
  const place = async (key: string, write: (tmp: string) => Promise<void>): Promise<void> => {
    const path = pathOf(key)
    // Stored already: its time is renewed, so the clean-up's grace period counts from the latest upload.
    if (await stat(path).catch(() => undefined)) {
      const now = new Date()
      await utimes(path, now, now).catch(() => undefined)
      return
    }
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.${randomUUID()}.tmp`
    try {
      await write(tmp)
      await rename(tmp, path)
    } finally {
      await rm(tmp, { force: true })
    }
  }
  return {
    async put(bytes, ext) {
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      const key = keyFor(sha256, ext)
      await place(key, (tmp) => writeFile(tmp, bytes))
      return stored(key, sha256, bytes.byteLength)
    },
    async putFile(path, ext) {
      const sha256 = await fileSha256(path)
      const key = keyFor(sha256, ext)
      const { size } = await stat(path)
      // rename fails across file systems (an upload folder on another disk): copy instead.
      await place(key, (tmp) => rename(path, tmp).catch(() => copyFile(path, tmp)))
      return stored(key, sha256, size)
    },
    async stat(key) {
      const s = await stat(pathOf(key)).catch(() => undefined)
      return s?.isFile() ? { bytes: s.size } : undefined
    },
    async remove(key) {
      await rm(pathOf(key), { force: true })
    },
    async read(key) {
      return readFile(pathOf(key)).catch(() => undefined)
    },
    async *list() {
      const entries = await readdir(resolve(root), { recursive: true, withFileTypes: true }).catch(() => [])
      for (const e of entries) {
        // Objects only: a temporary file of a write in progress is not one yet.
        if (!e.isFile() || e.name.endsWith('.tmp')) continue
        const path = join(e.parentPath, e.name)
        const s = await stat(path).catch(() => undefined)
        if (s) yield { key: path.slice(resolve(root).length + 1).split(sep).join('/'), bytes: s.size, writtenAt: s.mtimeMs }
      }
    },
  }
}

export const MEDIA_STORE_DIR = join(process.cwd(), 'data', 'media')
