import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PullChange, PullResponse } from '../../../src/protocol/content.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { buildApp } from '../../../server/app.ts'
import { nextVersion } from '../../../server/db/version.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

describe.each(DIALECTS)('content pull on %s', (dialect) => {
  let ctx: TestContext
  let dir: string
  let auth: { authorization: string }
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    dir = mkdtempSync(join(tmpdir(), 'pps-pull-'))
    cpSync(CONTENT_DIR, dir, { recursive: true })
    await importContent(ctx.testDb.db, dir)
    auth = await signIn(ctx.app, '13800000001')
  })
  afterAll(async () => {
    await ctx.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function pull(since?: string, limit?: number): Promise<PullResponse> {
    const qs = new URLSearchParams()
    if (since !== undefined) qs.set('since', since)
    if (limit !== undefined) qs.set('limit', String(limit))
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/sync/pull?${qs}`, headers: auth })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['cache-control']).toBe('private, no-store')
    return res.json()
  }

  async function pullAll(since?: string, limit?: number) {
    const changes: PullChange[] = []
    let cursor = since
    for (let pages = 1; ; pages++) {
      const page = await pull(cursor, limit)
      changes.push(...page.changes)
      cursor = page.cursor
      if (!page.more) return { changes, cursor, pages }
    }
  }

  it('needs a session', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull' })
    expect(res.statusCode).toBe(401)
  })

  it('pages through everything without gaps or repeats', async () => {
    const { changes, pages } = await pullAll(undefined, 50)
    expect(pages).toBeGreaterThan(4)
    expect(new Set(changes.map((c) => `${c.type}:${c.id}`)).size).toBe(changes.length)
    expect(changes.filter((c) => c.type === 'course')).toHaveLength(8)
    expect(changes.filter((c) => c.type === 'pocketEntry').length).toBeGreaterThanOrEqual(170)
    const lesson = changes.find((c) => c.id === 'three-meetings-one-lesson-01')
    expect(lesson?.type === 'lesson' && lesson.data?.audio).toMatch(/^\/media\/audio\//)
  })

  it('after a full pull, changing one entry makes the next pull return exactly that row', async () => {
    const first = await pullAll()
    expect((await pull(first.cursor)).changes).toEqual([])
    const file = join(dir, 'pocket/history/pocket-history-002.md')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title:.*$/m, 'title: 修改后的标题'))
    await importContent(ctx.testDb.db, dir)
    const next = await pull(first.cursor)
    expect(next.changes).toHaveLength(1)
    expect(next.changes[0]).toMatchObject({ type: 'pocketEntry', id: 'pocket-history-002', data: { title: '修改后的标题' } })
    expect(next.more).toBe(false)
    expect((await pull(next.cursor)).changes).toEqual([])
  })

  it('sends a deletion as a tombstone', async () => {
    const { cursor } = await pullAll()
    rmSync(join(dir, 'pocket/history/pocket-history-003.md'))
    await importContent(ctx.testDb.db, dir)
    const next = await pull(cursor)
    expect(next.changes).toEqual([{ type: 'pocketEntry', id: 'pocket-history-003', version: expect.any(Number), data: null }])
  })

  it('repeating a page with the same cursor returns the same page (a crash repeats, never skips)', async () => {
    const a = await pull(undefined, 20)
    const b = await pull(undefined, 20)
    expect(b).toEqual(a)
    const c = await pull(a.cursor, 20)
    expect(Math.min(...c.changes.map((x) => x.version))).toBeGreaterThan(Math.max(...a.changes.map((x) => x.version)))
  })

  it('sends content scoped to another branch only to that branch', async () => {
    const { cursor } = await pullAll()
    const db = ctx.testDb.db
    const member = ctx.seed.people.find((p) => p.phone === '13800000001')!
    const memberUnit = ctx.seed.units.find((u) => u.id === member.org_unit_id)!
    const otherBranch = ctx.seed.units.find((u) => u.kind === 'branch' && !memberUnit.path.startsWith(u.path))!
    const ownBranch = ctx.seed.units.find((u) => u.kind === 'branch' && memberUnit.path.startsWith(u.path))!
    await db.transaction().execute(async (trx) => {
      for (const [id, unit] of [['a-other', otherBranch.id], ['a-own', ownBranch.id]] as const) {
        await trx
          .insertInto('assignment')
          .values({ id, course_id: 'rural-safety', due_at: null, org_unit_id: unit, version: await nextVersion(trx), published_at: 0, deleted_at: null, content_hash: '' })
          .execute()
      }
    })
    const next = await pull(cursor)
    expect(next.changes.map((c) => c.id)).toEqual(['a-own'])
  })

  it('a first pull sends the assigned course first, then the pocket book and quizzes, then the rest, saying how far it is', async () => {
    // 'a-own' (the previous test) assigns rural-safety to the member's branch.
    const pages: PullResponse[] = []
    for (let cursor: string | undefined; ; ) {
      const page = await pull(cursor, 40)
      pages.push(page)
      cursor = page.cursor
      if (!page.more) break
    }
    const changes = pages.flatMap((p) => p.changes)
    const assigned = (c: PullChange) =>
      c.type === 'assignment' || (c.type === 'course' && c.id === 'rural-safety') || (c.type === 'lesson' && c.data?.courseId === 'rural-safety')
    const phase = (c: PullChange) => (assigned(c) ? 0 : ['pocketCategory', 'pocketEntry', 'quiz', 'question'].includes(c.type) ? 1 : 2)
    const phases = changes.map(phase)
    expect(phases).toEqual([...phases].sort((a, b) => a - b))
    expect(new Set(phases)).toEqual(new Set([0, 1, 2]))
    expect(changes.filter((c) => c.type === 'lesson' && c.data?.courseId === 'rural-safety').length).toBeGreaterThan(0)
    expect(new Set(changes.map((c) => `${c.type}:${c.id}`)).size).toBe(changes.length)
    expect(changes.every((c) => c.data !== null || c.type === 'question' || c.type === 'quiz')).toBe(true)
    // Progress: rows sent so far of the total the first page counted; the last page completes it.
    let sent = 0
    for (const page of pages) {
      sent += page.changes.length
      expect(page.progress).toEqual({ done: sent, total: page.more ? pages[0]!.progress!.total : sent })
    }
    expect(pages[0]!.progress!.total).toBe(changes.length)
    // Then an ordinary pull: nothing new.
    const after = await pull(pages.at(-1)!.cursor)
    expect(after).toMatchObject({ changes: [], more: false })
    expect(after.progress).toBeUndefined()
  })

  it('a first pull that finds content changed mid-way sends the change after it, and a scope change starts a reset', async () => {
    const first = await pull(undefined, 40)
    expect(first.cursor).toMatch(/^f/)
    const file = join(dir, 'pocket/history/pocket-history-004.md')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title:.*$/m, 'title: 首次下载时修改'))
    await importContent(ctx.testDb.db, dir)
    const rest = await pullAll(first.cursor, 500)
    const sent = [...first.changes, ...rest.changes].filter((c) => c.id === 'pocket-history-004')
    expect(sent.at(-1)).toMatchObject({ data: { title: '首次下载时修改' } })
    // The same first pull's cursor under another scope (a flag set mid-way) turns into a reset.
    const db = ctx.testDb.db
    const member = ctx.seed.people.find((p) => p.phone === '13800000001')!
    await db.updateTable('person').set({ is_flowing: 1 }).where('id', '=', member.id).execute()
    try {
      const reset = await pull(first.cursor, 40)
      expect(reset.reset).toMatchObject({ begins: true })
    } finally {
      await db.updateTable('person').set({ is_flowing: 0 }).where('id', '=', member.id).execute()
    }
  })

  it('rejects a cursor it never gave and a page larger than 500', async () => {
    const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull?since=abc', headers: auth })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'querystring.since' })
    const big = await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull?limit=501', headers: auth })
    expect(big.statusCode).toBe(400)
  })

  it('compresses a large pull page', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull', headers: { ...auth, 'accept-encoding': 'br, gzip' } })
    expect(res.headers['content-encoding']).toMatch(/br|gzip/)
  })

  it('serves media with ETag, long cache for versioned URLs and byte ranges', async () => {
    const url = '/media/audio/rural-safety-01.ogg?v=abc'
    const res = await ctx.app.inject({ method: 'GET', url })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.headers.etag).toBeTruthy()
    const again = await ctx.app.inject({ method: 'GET', url, headers: { 'if-none-match': String(res.headers.etag) } })
    expect(again.statusCode).toBe(304)
    const range = await ctx.app.inject({ method: 'GET', url, headers: { range: 'bytes=100-199' } })
    expect(range.statusCode).toBe(206)
    expect(range.rawPayload.length).toBe(100)
    const missing = await ctx.app.inject({ method: 'GET', url: '/media/audio/nope.ogg' })
    expect(missing.statusCode).toBe(404)
    const escape = await ctx.app.inject({ method: 'GET', url: '/media/../package.json' })
    expect(escape.statusCode).toBe(404)
  })

  it('answers a missing media file with 404 even beside the PWA (never the app shell)', async () => {
    const shell = mkdtempSync(join(tmpdir(), 'pps-shell-'))
    writeFileSync(join(shell, 'index.html'), '<!doctype html><title>app</title>')
    const app = await buildApp({ handle: ctx.testDb, staticDir: shell })
    try {
      expect((await app.inject({ method: 'GET', url: '/media/images/nope.svg?v=1' })).statusCode).toBe(404)
      const deepLink = await app.inject({ method: 'GET', url: '/study/lesson/x' })
      expect(deepLink.statusCode).toBe(200)
      expect(deepLink.body).toContain('<title>app</title>')
    } finally {
      await app.close()
      rmSync(shell, { recursive: true, force: true })
    }
  })
})
