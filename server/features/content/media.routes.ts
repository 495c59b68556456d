import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * GET /media/… from content/media: covers, images and audio. URLs written by the importer carry
 * `?v=<content hash>`, so those responses are immutable for a year; a bare URL is revalidated
 * daily. ETag and Range come from @fastify/static, so audio seeks straight from the server too.
 * Media are not secret (demo content is district-wide) and <img>/<audio> cannot send a bearer
 * token, so this route needs no session.
 */
export async function mediaRoutes(app: FastifyInstance, { root }: { root: string }): Promise<void> {
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400) return
    const versioned = typeof (request.query as Record<string, unknown>).v === 'string'
    reply.header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=86400')
  })
  await app.register(fastifyStatic, {
    root,
    prefix: '/media/',
    decorateReply: false,
    cacheControl: false,
    wildcard: true,
    index: false,
    list: false,
  })
}
