import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../server/app.ts'
import { connect } from '../../../server/db/connect.ts'
import { migrateToLatest } from '../../../server/db/migrate.ts'
import { localMediaStore } from '../../../server/features/media/mediaStore.ts'

const root = await mkdtemp(join(tmpdir(), 'media-store-'))
afterAll(() => rm(root, { recursive: true, force: true }))

describe('local media store', () => {
  const store = localMediaStore(join(root, 'store'))

  it('keeps the same bytes once, under their hash, and serves them immutable at /media/u/', async () => {
    const bytes = new TextEncoder().encode('一段录音的字节')
    const first = await store.put(bytes, 'mp3')
    const second = await store.put(bytes, 'mp3')
    expect(second).toEqual(first)
    expect(first.url).toBe(`/media/u/${first.key}?v=${first.sha256.slice(0, 12)}`)
    expect(await store.stat(first.key)).toEqual({ bytes: bytes.byteLength })

    const handle = connect({ url: ':memory:' })
    await migrateToLatest(handle.db)
    const app = await buildApp({ handle, mediaStoreDir: join(root, 'store'), reportFoldMs: false })
    try {
      const res = await app.inject({ url: first.url })
      expect(res.statusCode).toBe(200)
      expect(res.rawPayload.equals(Buffer.from(bytes))).toBe(true)
      expect(res.headers['cache-control']).toContain('immutable')
      expect((await app.inject({ url: '/media/u/../../package.json' })).statusCode).toBe(404)
    } finally {
      await app.close()
      await handle.db.destroy()
    }
  })

  it('moves a finished file in without leaving temporary files, and removes it again', async () => {
    const file = join(root, 'upload.bin')
    await writeFile(file, Buffer.alloc(3 * 1024 * 1024, 7))
    const saved = await store.putFile(file, 'mp4')
    expect(saved.bytes).toBe(3 * 1024 * 1024)
    const folder = await readdir(join(root, 'store', saved.key.slice(0, 2)))
    expect(folder).toEqual([saved.key.slice(3)])
    await store.remove(saved.key)
    expect(await store.stat(saved.key)).toBeUndefined()
  })

  it('refuses keys that leave the store and extensions that are not plain', async () => {
    await expect(store.stat('../x')).rejects.toThrow(/outside/)
    await expect(store.put(new Uint8Array([1]), 'js/../x')).rejects.toThrow(/extension/)
  })
})
