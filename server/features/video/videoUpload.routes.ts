/**
 * Studio video upload (docs/video.md "Upload"): the tus protocol (@tus/server with a FileStore)
 * under /api/v1/studio/uploads/, so an upload of hundreds of MB from a township office continues
 * after a dropped connection from the last byte the server has. When the last byte arrives the
 * file is checked from its bytes, moved into the MediaStore and queued for processing; a refused
 * file is deleted at once, so nothing half-stored stays behind.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { FileStore } from '@tus/file-store'
import { Server, type ServerOptions } from '@tus/server'
import type { Kysely } from 'kysely'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import type { LessonVideo } from '../../../src/protocol/content.ts'
import { StudioVideo, UPLOAD_SAMPLE_BYTES, VIDEO_UPLOAD_LIMITS } from '../../../src/protocol/video.ts'
import type { Database } from '../../db/database.ts'
import { requireAuth } from '../../shared/authz.ts'
import { notFound } from '../../shared/errors.ts'
import { probeMp4File, VideoError } from '../content/video.probe.ts'
import type { MediaStore } from '../media/mediaStore.ts'
import { assertStudioAccess } from '../studio/studio.access.ts'
import { findVideoJob, processedVideo, queueVideoJob } from './videoJob.repository.ts'

export const UPLOAD_PATH = '/api/v1/studio/uploads'
export const UPLOAD_DIR = join(process.cwd(), 'data', 'uploads')

export interface VideoUploadOptions {
  db: Kysely<Database>
  store: MediaStore
  /** The local folder behind `store`, where the worker reads the original */
  storeDir: string
  /** Where unfinished uploads wait (tus FileStore); ./data/uploads by default */
  uploadDir: string
  /** Wakes the processing worker when an upload is queued */
  onQueued?: () => void
}

/** A tus hook refusal: @tus/server sends `status_code` and `body` to the client. */
function refuse(status_code: number, code: string, message: string, field?: string) {
  return { status_code, body: JSON.stringify({ statusCode: status_code, code, message, ...(field ? { field } : {}) }) }
}

/** sha256(first ‖ last UPLOAD_SAMPLE_BYTES) of a file on disk: the `sample` metadata's rule. */
async function sampleOf(path: string, size: number): Promise<string> {
  const file = await open(path, 'r')
  try {
    const n = Math.min(UPLOAD_SAMPLE_BYTES, size)
    const head = Buffer.alloc(n)
    const tail = Buffer.alloc(n)
    await file.read(head, 0, n, 0)
    await file.read(tail, 0, n, size - n)
    return createHash('sha256').update(head).update(tail).digest('hex')
  } finally {
    await file.close()
  }
}

const STATUS_OF: Record<VideoError['kind'], [number, string]> = {
  type: [415, 'NOT_MP4'],
  limit: [413, 'VIDEO_TOO_LARGE'],
  broken: [422, 'VIDEO_BROKEN'],
}

export const videoUploadRoutes: FastifyPluginAsyncTypebox<VideoUploadOptions> = async (app, opts) => {
  const { db, store } = opts
  const datastore = new FileStore({ directory: opts.uploadDir })
  // Who is uploading, handed from the Fastify route (which checked the session) to the tus hooks.
  const uploader = new WeakMap<IncomingMessage, string>()
  const personOf = (req: Parameters<NonNullable<ServerOptions['onUploadCreate']>>[0]): string => {
    const raw = (req as { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req
    const personId = raw && uploader.get(raw)
    if (!personId) throw refuse(401, 'UNAUTHENTICATED', 'Sign in first.')
    return personId
  }

  const tus = new Server({
    path: UPLOAD_PATH,
    datastore,
    maxSize: VIDEO_UPLOAD_LIMITS.maxBytes,
    relativeLocation: true,
    namingFunction: () => randomUUID(),
    async onUploadCreate(req, upload) {
      const sample = upload.metadata?.sample
      if (!sample || !/^[0-9a-f]{64}$/.test(sample)) throw refuse(400, 'VALIDATION', 'Upload-Metadata needs "sample": sha256 of the first and last 64 KiB, hex.', 'Upload-Metadata.sample')
      if (upload.size === undefined) throw refuse(400, 'VALIDATION', 'Say the size up front (Upload-Length).', 'Upload-Length')
      // The owner is written by the server, whatever the client put in its metadata.
      return { metadata: { ...upload.metadata, owner: personOf(req) } }
    },
    async onUploadFinish(_req, upload) {
      const path = join(opts.uploadDir, upload.id)
      const size = upload.size ?? upload.offset
      try {
        if ((await sampleOf(path, size)) !== upload.metadata?.sample) {
          throw refuse(409, 'UPLOAD_MIXED', 'The bytes received are not all from the file this upload started with (it was resumed with another file). Start the upload again.')
        }
        const { duration, width, height } = (() => {
          try {
            return probeMp4File(path)
          } catch (err) {
            if (!(err instanceof VideoError)) throw err
            const [status, code] = STATUS_OF[err.kind]
            throw refuse(status, code, err.message)
          }
        })()
        const stored = await store.putFile(path, 'mp4')
        const original: LessonVideo = { url: stored.url, bytes: stored.bytes, type: 'video/mp4', duration, width, height }
        await queueVideoJob(db, {
          id: upload.id,
          sourcePath: join(opts.storeDir, stored.key),
          sourceSha256: stored.sha256,
          original,
          uploadedBy: upload.metadata?.owner ?? null,
        })
        opts.onQueued?.()
        return { headers: { 'Upload-Video': `/api/v1/studio/videos/${upload.id}` } }
      } finally {
        // Accepted (moved into the store) or refused: the upload's own files go either way.
        await rm(path, { force: true })
        await datastore.configstore.delete(upload.id)
      }
    },
  })

  // tus reads the request body itself: Fastify must leave the stream alone.
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null, undefined))

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = requireAuth(request)
    await assertStudioAccess(db, auth.personId)
    const id = (request.params as { '*'?: string })['*']
    if (id) {
      // Someone else's upload is as good as absent: an id alone does not let an editor write into it.
      const upload = await datastore.getUpload(id).catch(() => undefined)
      if (upload && upload.metadata?.owner !== auth.personId) throw notFound('Upload')
    }
    uploader.set(request.raw, auth.personId)
    reply.hijack()
    await tus.handle(request.raw, reply.raw)
  }
  for (const url of [UPLOAD_PATH, `${UPLOAD_PATH}/*`]) {
    app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url, schema: { hide: true }, handler: handle })
  }

  app.get(
    '/api/v1/studio/videos/:id',
    {
      schema: {
        tags: ['studio'],
        description: 'A video uploaded through the studio: processing state and %, and the video (with renditions and poster once made) for a lesson.',
        params: IdParams,
        response: { 200: StudioVideo, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      await assertStudioAccess(db, auth.personId)
      const job = await findVideoJob(db, request.params.id)
      if (!job) throw notFound('Video')
      return { uploadId: job.id, state: job.state, progress: job.progress, video: processedVideo(job) }
    },
  )
}
