/**
 * Runs video processing jobs off the request path: each server instance runs one worker that
 * takes one job at a time (videoJob.repository.ts decides which instance gets which job), and
 * `npm run content:import` drains the queue the same way before it exits.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { LessonVideo, VideoProcessing, VideoRendition } from '../../../src/protocol/content.ts'
import type { Database } from '../../db/database.ts'
import type { MediaStore } from '../media/mediaStore.ts'
import { makePoster, makeSaver, SAVER_HEIGHT } from './ffmpeg.ts'
import { probeMp4File } from '../content/video.probe.ts'
import { claimVideoJob, finishVideoJob, reportProgress, retryOrFail, type VideoJobRow } from './videoJob.repository.ts'

export interface VideoWorkerOptions {
  db: Kysely<Database>
  store: MediaStore
  /** false: serve originals as they are (no ffmpeg on this machine, or VIDEO_FFMPEG=off) */
  ffmpeg: boolean
  staleMs?: number
  onError?: (err: unknown, jobId?: string) => void
}

function hdOf(original: LessonVideo): VideoRendition {
  return { kind: 'hd', url: original.url, bytes: original.bytes, width: original.width, height: original.height }
}

/** Makes the poster and the data-saver rendition of one claimed job. */
async function process(job: VideoJobRow, opts: VideoWorkerOptions): Promise<VideoProcessing> {
  const original = JSON.parse(job.original) as LessonVideo
  const hd = hdOf(original)
  if (!opts.ffmpeg) return { renditions: [hd], noSaver: 'no-ffmpeg' }
  const dir = await mkdtemp(join(tmpdir(), 'video-job-'))
  try {
    const hasPicture = original.width > 0 && original.height > 0
    let poster: string | undefined
    if (hasPicture) {
      await makePoster(job.source_path, join(dir, 'poster.jpg'), original.duration)
      poster = (await opts.store.putFile(join(dir, 'poster.jpg'), 'jpg')).url
    }
    await reportProgress(opts.db, job.id, 5)
    if (!hasPicture || original.height <= SAVER_HEIGHT) return { poster, renditions: [hd], noSaver: 'small' }

    let last = 0
    await makeSaver(job.source_path, join(dir, 'saver.mp4'), (seconds) => {
      // At most one write a second: it is also the heartbeat that keeps the job ours.
      if (Date.now() - last < 1000) return
      last = Date.now()
      void reportProgress(opts.db, job.id, 5 + (94 * seconds) / Math.max(original.duration, 0.1)).catch(() => undefined)
    })
    const { width, height } = probeMp4File(join(dir, 'saver.mp4'))
    const saver = await opts.store.putFile(join(dir, 'saver.mp4'), 'mp4')
    return { poster, renditions: [hd, { kind: 'saver', url: saver.url, bytes: saver.bytes, width, height }] }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Claims and runs jobs until none is waiting; returns how many it ran. */
export async function runVideoJobs(opts: VideoWorkerOptions, stopped: () => boolean = () => false): Promise<number> {
  let ran = 0
  for (let job; !stopped() && (job = await claimVideoJob(opts.db, Date.now(), opts.staleMs)); ran++) {
    try {
      await finishVideoJob(opts.db, job, { state: 'done', result: await process(job, opts) })
    } catch (err) {
      opts.onError?.(err, job.id)
      const original = JSON.parse(job.original) as LessonVideo
      // Given up: the original still plays; the studio says no data-saver version was made.
      await retryOrFail(opts.db, job, err instanceof Error ? err.message : String(err), { renditions: [hdOf(original)], noSaver: 'failed' })
    }
  }
  return ran
}

export interface VideoWorker {
  /** An upload finished: look at the queue now instead of at the next tick. */
  kick(): void
  stop(): Promise<void>
}

/** Polls the queue every `intervalMs` (and on kick); one job at a time in this process. */
export function startVideoWorker(opts: VideoWorkerOptions & { intervalMs: number }): VideoWorker {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const tick = () => {
    clearTimeout(timer)
    if (stopped || running) return
    running = runVideoJobs(opts, () => stopped)
      .then(
        () => undefined,
        (err: unknown) => opts.onError?.(err),
      )
      .finally(() => {
        running = undefined
        // Unref'd: the worker alone never keeps the process alive.
        if (!stopped) timer = setTimeout(tick, opts.intervalMs).unref()
      })
  }
  timer = setTimeout(tick, 0).unref()
  return {
    kick: tick,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
