import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importContent } from '../../../server/features/content/import.ts'
import { probeMp4File } from '../../../server/features/content/video.probe.ts'
import { localMediaStore } from '../../../server/features/media/mediaStore.ts'
import { ffmpegAvailable } from '../../../server/features/video/ffmpeg.ts'
import { claimVideoJob, findVideoJob, queueVideoJob } from '../../../server/features/video/videoJob.repository.ts'
import { runVideoJobs } from '../../../server/features/video/videoWorker.ts'
import type { LessonVideo } from '../../../src/protocol/content.ts'
import { makeTestVideo } from '../../support/ffmpegVideo.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { contentWithVideo } from '../../support/videoContent.ts'

const LESSON_ID = 'rural-safety-05'

describe.each(DIALECTS)('video processing on %s', (dialect) => {
  let ctx: TestContext
  let dir: string
  let storeDir: string
  const db = () => ctx.testDb.db
  const lessonVideo = async () => {
    const row = await db().selectFrom('lesson').select(['video', 'version']).where('id', '=', LESSON_ID).executeTakeFirstOrThrow()
    return { video: JSON.parse(row.video!) as LessonVideo, version: Number(row.version) }
  }

  beforeAll(async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'pps-proc-'))
    storeDir = join(scratch, 'store')
    makeTestVideo(join(scratch, 'v.mp4'), { seconds: 3, width: 640, height: 480 })
    dir = contentWithVideo(readFileSync(join(scratch, 'v.mp4')))
    rmSync(scratch + '/v.mp4')
    ctx = await buildTestApp(dialect, { mediaDir: join(dir, 'media'), mediaStoreDir: storeDir })
  })
  afterAll(async () => {
    await ctx.close()
    rmSync(dir, { recursive: true, force: true })
    rmSync(storeDir, { recursive: true, force: true })
  })
  const worker = (ffmpeg: boolean) => ({ db: db(), store: localMediaStore(storeDir), ffmpeg })

  it('makes a poster and a 360p data-saver rendition for an imported video, and the lesson carries both', async () => {
    await importContent(db(), dir, Date.now(), { ffmpeg: true })
    const before = await lessonVideo()
    expect(before.video.renditions).toBeUndefined()

    expect(await runVideoJobs(worker(true))).toBe(1)
    const after = await lessonVideo()
    expect(after.version).toBeGreaterThan(before.version)
    const [hd, saver] = after.video.renditions!
    expect(hd).toEqual({ kind: 'hd', url: before.video.url, bytes: before.video.bytes, width: 640, height: 480 })
    expect(saver).toMatchObject({ kind: 'saver', width: 480, height: 360 })
    expect(after.video.noSaver).toBeUndefined()
    // Both files are in the store, served under /media/u/ with byte ranges.
    const res = await ctx.app.inject({ method: 'GET', url: saver!.url, headers: { range: 'bytes=0-7' } })
    expect(res.statusCode).toBe(206)
    expect(res.rawPayload.subarray(4, 8).toString('latin1')).toBe('ftyp')
    const key = saver!.url.slice('/media/u/'.length).split('?')[0]!
    expect(probeMp4File(join(storeDir, key))).toMatchObject({ height: 360, bytes: saver!.bytes })
    const poster = await ctx.app.inject({ method: 'GET', url: after.video.poster! })
    expect(poster.statusCode).toBe(200)
    expect(poster.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))

    // Imported again (the lesson file edited), the lesson keeps its renditions without new work.
    await importContent(db(), dir, Date.now(), { ffmpeg: true })
    expect(await runVideoJobs(worker(true))).toBe(0)
    expect((await lessonVideo()).video.renditions).toHaveLength(2)
  })

  it('picks up a job left running by a process that died, but not one whose worker is alive', async () => {
    const original = (await lessonVideo()).video
    const source = join(dir, 'media/video/fire-drill.mp4')
    const dead = randomUUID()
    const alive = randomUUID()
    const now = Date.now()
    for (const id of [dead, alive]) {
      await queueVideoJob(db(), { id, sourcePath: source, sourceSha256: `sha-${id}`, original, uploadedBy: null }, now - 600_000)
    }
    await db().updateTable('video_job').set({ state: 'running', attempts: 1, heartbeat_at: now - 600_000 }).where('id', '=', dead).execute()
    await db().updateTable('video_job').set({ state: 'running', attempts: 1, heartbeat_at: now }).where('id', '=', alive).execute()

    expect(await runVideoJobs(worker(true))).toBe(1)
    const done = (await findVideoJob(db(), dead))!
    expect(done).toMatchObject({ state: 'done', progress: 100, attempts: 2 })
    expect(JSON.parse(done.result!).renditions).toHaveLength(2)
    expect((await findVideoJob(db(), alive))!.state).toBe('running')
    await db().deleteFrom('video_job').where('id', '=', alive).execute()
  })

  it('gives two workers two different jobs', async () => {
    const original = (await lessonVideo()).video
    for (const id of [randomUUID(), randomUUID()]) {
      await queueVideoJob(db(), { id, sourcePath: 'x', sourceSha256: `sha-${id}`, original, uploadedBy: null })
    }
    const [a, b] = await Promise.all([claimVideoJob(db()), claimVideoJob(db())])
    expect(a && b && a.id !== b.id).toBe(true)
    await db().deleteFrom('video_job').where('id', 'in', [a!.id, b!.id]).execute()
  })

  it('serves the original as is without ffmpeg, and says no data-saver version was made', async () => {
    const original = (await lessonVideo()).video
    const id = randomUUID()
    await queueVideoJob(db(), { id, sourcePath: 'unused', sourceSha256: `sha-${id}`, original, uploadedBy: null })
    expect(await runVideoJobs(worker(false))).toBe(1)
    const job = (await findVideoJob(db(), id))!
    expect(job.state).toBe('done')
    expect(JSON.parse(job.result!)).toEqual({ renditions: [expect.objectContaining({ kind: 'hd', url: original.url })], noSaver: 'no-ffmpeg' })
    expect(ffmpegAvailable({ VIDEO_FFMPEG: 'off' })).toBe(false)
  })

  it('tries a failing video three times, then serves the original and says the data-saver failed', async () => {
    const original = (await lessonVideo()).video
    const id = randomUUID()
    await queueVideoJob(db(), { id, sourcePath: join(dir, 'no-such-file.mp4'), sourceSha256: `sha-${id}`, original, uploadedBy: null })
    const errors: unknown[] = []
    expect(await runVideoJobs({ ...worker(true), onError: (e) => errors.push(e) })).toBe(3)
    const job = (await findVideoJob(db(), id))!
    expect(job).toMatchObject({ state: 'failed', attempts: 3 })
    expect(JSON.parse(job.result!).noSaver).toBe('failed')
    expect(errors).toHaveLength(3)
  })
})
