import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContentError, parseContent } from '../../../server/features/content/content.parse.ts'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import type { LessonVideo } from '../../../src/protocol/content.ts'
import { box, ftyp, minimalMp4, mvhd, tkhd } from '../../support/mp4.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { contentWithVideo, VIDEO_LESSON_FILE } from '../../support/videoContent.ts'
import { DIALECTS } from '../../support/testDb.ts'

const LESSON = VIDEO_LESSON_FILE

function importError(dir: string): ContentError {
  try {
    parseContent(dir)
  } catch (err) {
    if (err instanceof ContentError) return err
    throw err
  }
  throw new Error('the import accepted the file')
}

describe('a video lesson in content/', () => {
  const dirs: string[] = []
  const scratch = (bytes: Buffer, notes?: string) => {
    const d = contentWithVideo(bytes, { notes })
    dirs.push(d)
    return d
  }
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('reads length and picture size from the MP4 itself, and needs no notes', () => {
    const mp4 = minimalMp4({ seconds: 95, width: 640, height: 360 })
    const lesson = parseContent(scratch(mp4)).lessons.find((l) => l.id === 'rural-safety-05')!
    const video = JSON.parse(lesson.video!) as LessonVideo
    expect(video).toEqual({ url: expect.stringMatching(/^\/media\/video\/fire-drill\.mp4\?v=[0-9a-f]{12}$/), bytes: mp4.length, type: 'video/mp4', duration: 95, width: 640, height: 360 })
    expect(lesson.body).toBe('')
  })

  it('keeps the video out of the course download, which stores whole files', () => {
    const course = parseContent(scratch(minimalMp4())).courses.find((c) => c.id === 'rural-safety')!
    expect(course.media).not.toContain('fire-drill')
  })

  it('refuses a file that is not an MP4, naming the lesson line', () => {
    const e = importError(scratch(readFileSync(join(CONTENT_DIR, 'media/audio/rural-safety-01.ogg'))))
    expect({ file: e.file, line: e.line }).toEqual({ file: LESSON, line: 6 })
    expect(e.what).toMatch(/not an MP4 video .*"ftyp"/)
  })

  it('refuses a truncated MP4 and one without its moov box', () => {
    const mp4 = minimalMp4()
    expect(importError(scratch(mp4.subarray(0, mp4.length - 10))).what).toMatch(/truncated: the "mdat" box needs 10 more bytes/)
    expect(importError(scratch(Buffer.concat([ftyp(), box('mdat', Buffer.alloc(50))]))).what).toMatch(/no "moov" box/)
  })

  it('refuses a video longer than three hours', () => {
    const long = Buffer.concat([ftyp(), box('moov', mvhd(1, 4 * 3600), box('trak', tkhd(1, 4 * 3600, 320, 240)))])
    expect(importError(scratch(long)).what).toMatch(/lasts 4\.0 hours; the limit is 3 hours/)
  })
})

describe.each(DIALECTS)('video lessons on %s', (dialect) => {
  let ctx: TestContext
  let dir: string
  const mp4 = minimalMp4({ payload: 5000 })
  beforeAll(async () => {
    dir = contentWithVideo(mp4, { notes: '看完后想一想：家里的灭火器放在哪里？' })
    ctx = await buildTestApp(dialect, { mediaDir: join(dir, 'media') })
    await importContent(ctx.testDb.db, dir)
  })
  afterAll(async () => {
    await ctx.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reach the phone in the pull with the video and its notes', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: '13800000001', password: 'demo1234', deviceName: 't' } })
    const headers = { authorization: `Bearer ${login.json().token}` }
    let lesson: { video?: LessonVideo; body: string } | undefined
    for (let since: string | undefined, more = true; more && !lesson; ) {
      const page = (await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull', query: since ? { since } : {}, headers })).json()
      lesson = page.changes.find((c: { type: string; id: string }) => c.type === 'lesson' && c.id === 'rural-safety-05')?.data
      since = page.cursor
      more = page.hasMore
    }
    expect(lesson!.video).toMatchObject({ bytes: mp4.length, duration: 95, width: 640, height: 360 })
    expect(lesson!.body).toContain('灭火器')
  })

  it('serves byte ranges of the video, immutable under its content-hash URL', async () => {
    const row = await ctx.testDb.db.selectFrom('lesson').select('video').where('id', '=', 'rural-safety-05').executeTakeFirstOrThrow()
    const { url } = JSON.parse(row.video!) as LessonVideo
    const part = await ctx.app.inject({ method: 'GET', url, headers: { range: 'bytes=100-199' } })
    expect(part.statusCode).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 100-199/${mp4.length}`)
    expect(part.rawPayload.equals(mp4.subarray(100, 200))).toBe(true)
    expect(part.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(part.headers['content-type']).toBe('video/mp4')

    // If-Range: a range only while the file is the one the phone started with, else all of it.
    const etag = part.headers.etag as string
    const same = await ctx.app.inject({ method: 'GET', url, headers: { range: 'bytes=0-9', 'if-range': etag } })
    expect(same.statusCode).toBe(206)
    const changed = await ctx.app.inject({ method: 'GET', url, headers: { range: 'bytes=0-9', 'if-range': '"another-file"' } })
    expect(changed.statusCode).toBe(200)
    expect(changed.rawPayload.length).toBe(mp4.length)

    const beyond = await ctx.app.inject({ method: 'GET', url, headers: { range: `bytes=${mp4.length + 10}-` } })
    expect(beyond.statusCode).toBe(416)
    expect(beyond.headers['content-range']).toBe(`bytes */${mp4.length}`)
  })
})
