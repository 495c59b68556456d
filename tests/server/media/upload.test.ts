import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MEDIA_LIMITS } from '../../../server/features/media/limits.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

/** A 3000 × 2000 camera photo with the EXIF a phone writes (maker, a serial, GPS position). */
const cameraPhoto = () =>
  sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 200, g: 40, b: 30 } } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'VillageCam', Model: 'SerialNo-4711' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1' } })
    .toBuffer()

const smallPng = () => sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 120, b: 60, alpha: 0.5 } } }).png().toBuffer()

/** A PNG of a few bytes whose header claims 100 000 × 100 000 pixels: decoding it would need 40 GB. */
async function pngBomb(): Promise<Buffer> {
  const png = Buffer.from(await smallPng())
  // IHDR is the first chunk: length(4) type(4) at 8, width and height at 16 and 20, CRC over type+data at 29.
  png.writeUInt32BE(100_000, 16)
  png.writeUInt32BE(100_000, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
  return png
}

/** An MPEG-1 layer III frame header (128 kbit/s, 44.1 kHz) and some frame bytes. */
const mp3 = () => Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(4000, 0x55)])

const elf = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2000, 0)])
const exe = () => Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(2000, 0)])
const svg = () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>')
const html = () => Buffer.from('\uFEFF  <!doctype html><html><body><script>fetch("/api/v1/auth/me")</script></body></html>')

/** Every file under `dir`, relative, sorted. */
async function listStore(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length)).sort()
}

describe.each(DIALECTS)('studio media uploads (%s)', (dialect) => {
  let ctx: TestContext
  let storeDir: string
  let editor: { authorization: string }
  let member: { authorization: string }

  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'media-upload-'))
    ctx = await buildTestApp(dialect, { mediaStoreDir: storeDir })
    const township = ctx.seed.units.find((u) => u.kind === 'township')!
    const person = ctx.seed.people.find((p) => p.phone === '13800000002')!
    await ctx.testDb.db.insertInto('role').values({ person_id: person.id, org_unit_id: township.id, role: 'editor' }).execute()
    editor = await signIn(ctx.app, '13800000002')
    member = await signIn(ctx.app, '13800000001')
  })
  afterAll(async () => {
    await ctx.close()
    await rm(storeDir, { recursive: true, force: true })
  })

  const upload = (body: Buffer, { kind = 'image', name = 'photo.jpg', type = 'image/jpeg', auth = editor as { authorization?: string } } = {}) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/studio/media?kind=${kind}`,
      headers: { ...auth, 'content-type': type, 'x-file-name': encodeURIComponent(name) },
      payload: body,
    })

  const uploadAudits = async () =>
    (await ctx.testDb.db.selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).where('action', '=', 'media.upload').executeTakeFirstOrThrow()).n

  /** Runs a refused upload and checks that neither the store nor the audit log changed. */
  async function refused(send: () => Promise<{ statusCode: number; json(): { code: string; message: string } }>) {
    const [filesBefore, auditsBefore] = [await listStore(storeDir), Number(await uploadAudits())]
    const res = await send()
    expect(await listStore(storeDir)).toEqual(filesBefore)
    expect(Number(await uploadAudits())).toBe(auditsBefore)
    return { status: res.statusCode, ...res.json() }
  }

  it('tells the limits before anyone picks a file', async () => {
    const res = await ctx.app.inject({ url: '/api/v1/studio/media/limits', headers: editor })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(MEDIA_LIMITS)
  })

  it('stores a phone photo upright-sized for phones, without its EXIF, and serves it immutable', async () => {
    const photo = await cameraPhoto()
    expect((await sharp(photo).metadata()).exif).toBeDefined()

    const res = await upload(photo, { name: '党课现场.jpg' })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({ kind: 'image', name: '党课现场.jpg', width: 1280, height: 853 })
    expect(body.url).toMatch(/^\/media\/u\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg\?v=[0-9a-f]{12}$/)

    const served = await ctx.app.inject({ url: body.url })
    expect(served.statusCode).toBe(200)
    expect(served.headers['content-type']).toBe('image/jpeg')
    expect(served.headers['cache-control']).toContain('immutable')
    const meta = await sharp(served.rawPayload).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 1280, height: 853 })
    expect(meta.exif).toBeUndefined()
    expect(served.rawPayload.includes('VillageCam')).toBe(false)
    expect(served.rawPayload.includes('SerialNo-4711')).toBe(false)
    expect(body.bytes).toBe(served.rawPayload.length)
    expect(body.bytes).toBeLessThan(photo.length)

    const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'media.upload').executeTakeFirstOrThrow()
    expect(audit.target).toBe(body.url.slice('/media/u/'.length).split('?')[0])
    expect(JSON.parse(audit.detail)).toMatchObject({ kind: 'image', name: '党课现场.jpg', claimedType: 'image/jpeg' })
  })

  it('turns a photo taken with the phone on its side upright, as the EXIF that said so goes', async () => {
    const sideways = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#36c' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    const res = await upload(sideways, { name: 'sideways.jpg' })
    expect(res.json()).toMatchObject({ width: 200, height: 300 })
    const meta = await sharp((await ctx.app.inject({ url: res.json().url })).rawPayload).metadata()
    expect(meta.orientation).toBeUndefined()
  })

  it('keeps the same file uploaded twice as one object with one URL', async () => {
    const png = await smallPng()
    const first = await upload(png, { name: 'diagram.png', type: 'image/png' })
    const filesAfterFirst = await listStore(storeDir)
    const second = await upload(png, { name: '示意图.png', type: 'application/octet-stream' })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json().url).toBe(first.json().url)
    expect(first.json()).toMatchObject({ kind: 'image', width: 64, height: 48 })
    expect(first.json().url).toMatch(/\.png\?v=/)
    expect(await listStore(storeDir)).toEqual(filesAfterFirst)
  })

  it('keeps a recording as it came, whatever its name says', async () => {
    const audio = mp3()
    const res = await upload(audio, { kind: 'audio', name: 'lecture.wav', type: 'audio/wav' })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ kind: 'audio', bytes: audio.length, name: 'lecture.wav' })
    expect(res.json().width).toBeUndefined()
    const served = await ctx.app.inject({ url: res.json().url })
    expect(served.rawPayload.equals(audio)).toBe(true)
    expect(served.headers['content-type']).toBe('audio/mpeg')
  })

  it.each([
    ['a renamed Linux program', elf, /program/],
    ['a renamed Windows program', exe, /program/],
    ['an SVG with a script', svg, /scripts/],
    ['an HTML page', html, /scripts/],
  ])('refuses %s sent as a JPEG, and stores nothing', async (_what, make, reason) => {
    const res = await refused(() => upload(make(), { name: 'photo.jpg', type: 'image/jpeg' }))
    expect(res).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect(res.message).toMatch(reason)
    expect(res.message).toContain('JPEG, PNG, WebP')
  })

  it('refuses a recording where an image is expected', async () => {
    const res = await refused(() => upload(mp3(), { kind: 'image', name: 'song.jpg' }))
    expect(res).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
  })

  it('refuses an image bomb from its header, without decoding it', async () => {
    const bomb = await pngBomb()
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(100_000)
    const started = performance.now()
    const res = await refused(() => upload(bomb, { name: 'bomb.png', type: 'image/png' }))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(res).toMatchObject({ status: 413, code: 'IMAGE_TOO_MANY_PIXELS' })
    expect(res.message).toContain('100000 × 100000')
  })

  it('refuses a damaged image with a readable reason', async () => {
    const cut = (await cameraPhoto()).subarray(0, 300)
    const res = await refused(() => upload(Buffer.from(cut)))
    expect(res).toMatchObject({ status: 400, code: 'MEDIA_UNREADABLE' })
  })

  it('refuses a file over the limit of its kind before reading it', async () => {
    const big = Buffer.concat([await smallPng(), Buffer.alloc(MEDIA_LIMITS.image.maxBytes)])
    const res = await refused(() => upload(big, { name: 'huge.png', type: 'image/png' }))
    expect(res).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(res.message).toContain('15 MB')
  })

  it('names the missing file name and refuses an empty body', async () => {
    const noName = await ctx.app.inject({ method: 'POST', url: '/api/v1/studio/media?kind=image', headers: { ...editor, 'content-type': 'image/png' }, payload: await smallPng() })
    expect(noName.statusCode).toBe(400)
    expect(noName.json().field).toBe('headers.x-file-name')
    const empty = await refused(() => upload(Buffer.alloc(0)))
    expect(empty).toMatchObject({ status: 400, field: 'body' })
  })

  it('wants a session (401), and the editor role or a supervisor over the unit (403)', async () => {
    const png = await smallPng()
    expect(await refused(() => upload(png, { auth: {} }))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })
    expect(await refused(() => upload(png, { auth: member }))).toMatchObject({ status: 403, code: 'NOT_EDITOR' })
    expect((await ctx.app.inject({ url: '/api/v1/studio/media/limits', headers: member })).statusCode).toBe(403)
    const [own, other] = ctx.seed.units.filter((u) => u.kind === 'township')
    const forUnit = (unitId: string) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/studio/media?kind=image&orgUnitId=${unitId}`, headers: { ...editor, 'content-type': 'image/png', 'x-file-name': 'a.png' }, payload: png })
    expect(await refused(() => forUnit(other!.id))).toMatchObject({ status: 403, code: 'NOT_EDITOR' })
    expect((await forUnit(own!.id)).statusCode).toBe(201)
    const supervisor = await signIn(ctx.app, '13800000005')
    expect((await upload(png, { auth: supervisor, name: 'a.png', type: 'image/png' })).statusCode).toBe(201)
  })
})
