import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UPLOAD_SAMPLE_BYTES } from '../../../src/protocol/video.ts'
import { ABANDONED_UPLOAD_MS, expireAbandonedUploads } from '../../../server/features/video/uploadExpiry.ts'
import { makeTestVideo } from '../../support/ffmpegVideo.ts'
import { minimalMp4 } from '../../support/mp4.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const UPLOADS = '/api/v1/studio/uploads'
const TUS = { 'tus-resumable': '1.0.0' }
const PATCH = { ...TUS, 'content-type': 'application/offset+octet-stream' }

/** The `sample` metadata the PWA sends: sha256 of the first and last 64 KiB. */
function sampleOf(bytes: Buffer): string {
  const n = Math.min(UPLOAD_SAMPLE_BYTES, bytes.length)
  return createHash('sha256').update(bytes.subarray(0, n)).update(bytes.subarray(bytes.length - n)).digest('hex')
}
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe.each(DIALECTS)('studio video upload (tus) on %s', (dialect) => {
  let ctx: TestContext
  let scratch: string
  let editor: { authorization: string }
  let video: Buffer
  let other: Buffer
  const storeDir = () => join(scratch, 'store')
  const uploadDir = () => join(scratch, 'uploads')
  const filesIn = (d: string): string[] => {
    try {
      return readdirSync(d, { recursive: true }).map(String)
    } catch {
      return []
    }
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'pps-upload-'))
    makeTestVideo(join(scratch, 'a.mp4'), { seconds: 2, width: 320, height: 240 })
    video = readFileSync(join(scratch, 'a.mp4'))
    // Same length as `video`, other bytes: what a phone resuming with the wrong file sends.
    other = Buffer.from(video.map((b) => b ^ 0x5a))
    ctx = await buildTestApp(dialect, { mediaStoreDir: storeDir(), uploadDir: uploadDir() })
    editor = await signIn(ctx.app, '13800000005') // township supervisor
  })
  afterAll(async () => {
    await ctx.close()
    rmSync(scratch, { recursive: true, force: true })
  })

  const create = async (bytes: Buffer, headers: Record<string, string> = editor, length = bytes.length) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: UPLOADS,
      headers: { ...TUS, ...headers, 'upload-length': String(length), 'upload-metadata': `filename ${b64('课.mp4')},sample ${b64(sampleOf(bytes))}` },
    })
    return { res, url: res.headers.location as string }
  }
  const patch = (url: string, offset: number, body: Buffer, headers: Record<string, string> = editor) =>
    ctx.app.inject({ method: 'PATCH', url, headers: { ...PATCH, ...headers, 'upload-offset': String(offset) }, payload: body })
  const offsetOf = async (url: string) => Number((await ctx.app.inject({ method: 'HEAD', url, headers: { ...TUS, ...editor } })).headers['upload-offset'])

  it('continues an upload cut mid-way from the byte the server has, then stores the whole file once', async () => {
    const { res, url } = await create(video)
    expect(res.statusCode, res.body).toBe(201)
    expect(url).toMatch(/^\/api\/v1\/studio\/uploads\/[0-9a-f-]{36}$/)

    // A real connection that drops after part of the body: what arrived is kept.
    await ctx.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = ctx.app.server.address() as AddressInfo
    const cut = Math.floor(video.length / 3)
    await new Promise<void>((resolve) => {
      const req = request({ port, method: 'PATCH', path: url, headers: { ...PATCH, ...editor, 'upload-offset': '0', 'content-length': String(video.length) } })
      req.on('error', () => resolve())
      req.write(video.subarray(0, cut), () => setTimeout(() => req.destroy(), 300))
    })
    let offset = 0
    for (let i = 0; i < 50 && offset < cut; i++) {
      await new Promise((r) => setTimeout(r, 100))
      offset = await offsetOf(url)
    }
    expect(offset).toBe(cut)

    const done = await patch(url, offset, video.subarray(offset))
    expect(done.statusCode).toBe(204)
    const status = await ctx.app.inject({ method: 'GET', url: done.headers['upload-video'] as string, headers: editor })
    expect(status.statusCode).toBe(200)
    const body = status.json()
    expect(body).toMatchObject({ state: 'queued', video: { bytes: video.length, duration: 2, width: 320, height: 240, noSaver: 'pending' } })
    const served = await ctx.app.inject({ method: 'GET', url: body.video.url })
    expect(served.rawPayload.equals(video)).toBe(true)
    expect(filesIn(uploadDir())).toEqual([])
  })

  it('refuses an upload resumed with another file\'s bytes, and keeps none of it', async () => {
    const before = filesIn(storeDir())
    const { url } = await create(video)
    const half = Math.floor(video.length / 2)
    expect((await patch(url, 0, video.subarray(0, half))).statusCode).toBe(204)
    const mixed = await patch(url, half, other.subarray(half))
    expect(mixed.statusCode, mixed.body).toBe(409)
    expect(JSON.parse(mixed.body)).toMatchObject({ code: 'UPLOAD_MIXED' })
    expect(filesIn(storeDir())).toEqual(before)
    expect(filesIn(uploadDir())).toEqual([])
  })

  it('refuses bytes that are not an MP4, and an MP4 cut short', async () => {
    const before = filesIn(storeDir())
    const text = Buffer.from('这不是视频'.repeat(1000))
    const { url } = await create(text)
    const res = await patch(url, 0, text)
    expect(res.statusCode).toBe(415)
    expect(JSON.parse(res.body)).toMatchObject({ code: 'NOT_MP4' })

    const short = video.subarray(0, video.length - 5000)
    const second = await create(short)
    const broken = await patch(second.url, 0, short)
    expect(broken.statusCode).toBe(422)
    expect(JSON.parse(broken.body).message).toMatch(/truncated/)
    expect(filesIn(storeDir())).toEqual(before)
    expect(filesIn(uploadDir())).toEqual([])
  })

  it('refuses a file over 4 GB before any byte is sent, and a video over 3 hours when it arrives', async () => {
    const { res } = await create(video, editor, 4 * 1024 ** 3)
    expect(res.statusCode).toBe(413)
    const long = minimalMp4({ seconds: 3 * 3600 + 60 })
    const { url } = await create(long)
    const refused = await patch(url, 0, long)
    expect(refused.statusCode).toBe(413)
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'VIDEO_TOO_LARGE', message: expect.stringMatching(/limit is 3 hours/) })
  })

  it('needs a sample of the file to start', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: UPLOADS, headers: { ...TUS, ...editor, 'upload-length': '100', 'upload-metadata': `filename ${b64('a.mp4')}` } })
    expect(res.statusCode).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ field: 'Upload-Metadata.sample' })
  })

  it('answers 401 without a session, 403 to a member, and 404 to another editor for someone else\'s upload', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: UPLOADS, headers: { ...TUS, 'upload-length': '10' } })).statusCode).toBe(401)
    const member = await signIn(ctx.app, '13800000001')
    const denied = await create(video, member)
    expect(denied.res.statusCode).toBe(403)
    expect(denied.res.json()).toMatchObject({ code: 'NOT_EDITOR' })

    const { url } = await create(video)
    const admin = await signIn(ctx.app, '13800000006')
    expect((await patch(url, 0, video.subarray(0, 10), admin)).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/studio/videos/nope', headers: member })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/studio/videos/nope', headers: editor })).statusCode).toBe(404)
  })

  it('deletes an upload nobody continued for a day, with its files; one still receiving bytes stays', async () => {
    const idle = await create(video)
    const busy = await create(video)
    expect((await patch(idle.url, 0, video.subarray(0, 1000))).statusCode).toBe(204)
    expect((await patch(busy.url, 0, video.subarray(0, 1000))).statusCode).toBe(204)
    const idleId = idle.url.split('/').pop()!
    const busyId = busy.url.split('/').pop()!
    // The idle one last received a byte 25 hours ago; the busy one 23 hours into its upload still gets bytes.
    const longAgo = (Date.now() - ABANDONED_UPLOAD_MS - 3600_000) / 1000
    for (const f of [idleId, `${idleId}.json`]) utimesSync(join(uploadDir(), f), longAgo, longAgo)
    writeFileSync(join(uploadDir(), 'README'), 'not an upload')
    utimesSync(join(uploadDir(), 'README'), longAgo, longAgo)

    expect(await expireAbandonedUploads(uploadDir())).toBeGreaterThanOrEqual(1)
    expect(filesIn(uploadDir()).filter((f) => f.startsWith(idleId))).toEqual([])
    expect(filesIn(uploadDir())).toEqual(expect.arrayContaining([busyId, `${busyId}.json`, 'README']))
    // The editor's tus client finds the upload gone and starts a new one.
    expect((await ctx.app.inject({ method: 'HEAD', url: idle.url, headers: { ...TUS, ...editor } })).statusCode).toBe(404)
    expect(await offsetOf(busy.url)).toBe(1000)
  })
})
