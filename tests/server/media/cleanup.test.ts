import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudioItem } from '../../../src/protocol/studio.ts'
import { cleanUnusedUploads } from '../../../server/features/media/mediaCleanup.ts'
import { localMediaStore, type MediaStore } from '../../../server/features/media/mediaStore.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const [, , , , , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)
const DAY = 86_400_000
const image = (r: number) => sharp({ create: { width: 20, height: 20, channels: 3, background: { r, g: 0, b: 0 } } }).png().toBuffer()

describe.each(DIALECTS)('clean-up of unused uploads (%s)', (dialect) => {
  let ctx: TestContext
  let dir: string
  let store: MediaStore
  const urls: Record<string, string> = {}
  const keyOf = (url: string) => url.slice('/media/u/'.length).split('?')[0]!
  /** Makes an object look stored `days` ago. */
  const age = (url: string, days: number) => utimes(join(dir, keyOf(url)), new Date(Date.now() - days * DAY), new Date(Date.now() - days * DAY))

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cleanup-'))
    ctx = await buildTestApp(dialect, { mediaStoreDir: dir })
    store = localMediaStore(dir)
    const [editor, admin] = [await signIn(ctx.app, EDITOR!), await signIn(ctx.app, ADMIN!)]
    const upload = async (name: string, r: number) => {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/studio/media?kind=image', headers: { ...editor, 'x-file-name': name, 'content-type': 'image/png' }, payload: await image(r) })
      urls[name] = res.json().url
    }
    for (const [i, name] of ['inDraft', 'inOldVersion', 'orphan', 'freshOrphan'].entries()) await upload(name, 40 * i + 10)
    const district = ctx.seed.units.find((u) => u.kind === 'district')!.id
    const entry = (body: string) => ({ type: 'pocket_entry', title: '条目', category: 'law', tags: [], body })
    await ctx.testDb.db.insertInto('pocket_category').values({ id: 'law', title: '法律', title_en: 'Law', sort_order: 1, org_unit_id: district, version: 1, published_at: 0, deleted_at: null, content_hash: '' }).execute()
    // Published with one image, then the draft moved on to another: the old version still counts.
    const item: StudioItem = (await ctx.app.inject({ method: 'POST', url: '/api/v1/studio/items', headers: editor, payload: { orgUnitId: district, draft: entry(`![a](${urls.inOldVersion})`) } })).json()
    const submitted = (await ctx.app.inject({ method: 'POST', url: `/api/v1/studio/items/${item.id}/submit`, headers: editor, payload: { revision: item.revision } })).json()
    const approved = await ctx.app.inject({ method: 'POST', url: `/api/v1/studio/items/${item.id}/approve`, headers: admin, payload: { revision: submitted.revision } })
    expect(approved.statusCode).toBe(200)
    await ctx.app.inject({ method: 'PUT', url: `/api/v1/studio/items/${item.id}`, headers: editor, payload: { revision: approved.json().revision, draft: entry(`![b](${urls.inDraft})`) } })
    for (const name of ['inDraft', 'inOldVersion', 'orphan']) await age(urls[name]!, 30)
    await age(urls.freshOrphan!, 2)
  })
  afterAll(async () => {
    await ctx.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('removes only uploads nothing mentions and nobody stored within the grace period', async () => {
    const dry = await cleanUnusedUploads(ctx.testDb.db, store, { graceMs: 7 * DAY, dryRun: true })
    expect(dry.removed).toEqual([keyOf(urls.orphan!)])
    expect(await store.stat(keyOf(urls.orphan!))).toBeDefined()

    const done = await cleanUnusedUploads(ctx.testDb.db, store, { graceMs: 7 * DAY })
    expect(done).toMatchObject({ removed: [keyOf(urls.orphan!)], kept: 3 })
    expect(await store.stat(keyOf(urls.orphan!))).toBeUndefined()
    for (const name of ['inDraft', 'inOldVersion', 'freshOrphan']) expect(await store.stat(keyOf(urls[name]!))).toBeDefined()
  })

  it('renews an object’s time when the same file is uploaded again, so a re-upload is not removed before it is saved', async () => {
    await age(urls.freshOrphan!, 30)
    await store.put((await store.read(keyOf(urls.freshOrphan!)))!, 'png')
    const r = await cleanUnusedUploads(ctx.testDb.db, store, { graceMs: 7 * DAY })
    expect(r.removed).toEqual([])
  })
})
