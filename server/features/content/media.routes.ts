import { stat } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** Size of the file a /media/ request names, for the 416 answer (undefined outside the root). */
async function requestedSize(root: string, prefix: string, request: FastifyRequest): Promise<number | undefined> {
  const path = resolve(root, decodeURIComponent(new URL(request.url, 'http://x').pathname.slice(prefix.length)))
  if (!path.startsWith(resolve(root) + sep)) return undefined
  return (await stat(path).catch(() => undefined))?.size
}

/**
 * GET /media/… from content/media (covers, images, audio and video of imported content), and
 * GET /media/u/… from the upload store (features/media/mediaStore.ts). URLs written by the importer carry
 * `?v=<content hash>`, so those responses are immutable for a year; a bare URL is revalidated
 * daily. ETag, Range and If-Range come from @fastify/static, so audio and video seek straight
 * from the server and a phone resuming a download never gets a mix of two files.
 * Media are not secret (demo content is district-wide) and <img>/<audio> cannot send a bearer
 * token, so this route needs no session.
 */
export async function mediaRoutes(app: FastifyInstance, { root, urlPrefix = '/media/' }: { root: string; urlPrefix?: string }): Promise<void> {
  app.addHook('onSend', async (request, reply) => {
    // A range past the end: say how long the file is (RFC 9110 §15.5.17), so a downloader that
    // asked for the next chunk of a file that got shorter knows to start again.
    if (reply.statusCode === 416) {
      const size = await requestedSize(root, urlPrefix, request)
      if (size !== undefined) reply.header('content-range', `bytes */${size}`)
    }
    if (reply.statusCode >= 400) return
    const versioned = typeof (request.query as Record<string, unknown>).v === 'string'
    reply.header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=86400')
  })
  await app.register(fastifyStatic, {
    root,
    prefix: urlPrefix,
    decorateReply: false,
    cacheControl: false,
    wildcard: true,
    index: false,
    list: false,
  })
}
