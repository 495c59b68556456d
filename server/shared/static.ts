import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * Serves the built PWA. Hashed files under /assets/ never change, so phones keep them a year;
 * everything else (index.html, sw.js, the manifest) is revalidated by ETag on every load, so a
 * deploy reaches the service worker's update check at once.
 */
export async function registerStatic(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    cacheControl: false,
    setHeaders(reply, path) {
      const immutable = /[\\/]assets[\\/]/.test(path)
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      if (path.endsWith('sw.js')) reply.header('service-worker-allowed', '/')
    },
  })
}
