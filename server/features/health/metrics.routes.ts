/**
 * GET /api/metrics for Prometheus. With METRICS_TOKEN set, a scrape must send it as a bearer
 * token (401 otherwise), from anywhere. Without it, only a caller on this machine or a private
 * network that did not come through a proxy is served (403 otherwise): behind nginx every
 * request arrives from 127.0.0.1, so the forwarding headers, not the socket, tell who asked.
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { errorResponses } from '../../../src/protocol/common.ts'
import { ApiError } from '../../shared/errors.ts'
import { metricsRegistry } from '../../shared/metrics.ts'

const PRIVATE = new BlockList()
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4')
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4')
PRIVATE.addAddress('::1', 'ipv6')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip']

export function isPrivateAddress(address: string | undefined): boolean {
  const plain = address?.replace(/^::ffff:(?=\d+\.)/, '') ?? ''
  const family = isIP(plain)
  return family !== 0 && PRIVATE.check(plain, family === 4 ? 'ipv4' : 'ipv6')
}

function sameSecret(given: string, expected: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

function checkAccess(request: FastifyRequest, token: string | undefined): void {
  if (token) {
    const header = request.headers.authorization ?? ''
    if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7).trim(), token)) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'Send the METRICS_TOKEN as a bearer token.', undefined, { 'www-authenticate': 'Bearer' })
    }
    return
  }
  const forwarded = FORWARDING_HEADERS.some((h) => request.headers[h] !== undefined)
  if (forwarded || !isPrivateAddress(request.socket.remoteAddress)) {
    throw new ApiError(403, 'FORBIDDEN', 'Metrics are served to this machine and private networks only; set METRICS_TOKEN to scrape from elsewhere.')
  }
}

export const metricsRoutes: FastifyPluginAsyncTypebox<{ token?: string }> = async (app, { token }) => {
  app.get(
    '/api/metrics',
    {
      schema: {
        tags: ['health'],
        description: 'Prometheus metrics of this instance (text format). Bearer METRICS_TOKEN, or a private address when none is set.',
        response: { 200: Type.String(), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      checkAccess(request, token)
      reply.header('content-type', metricsRegistry.contentType).header('cache-control', 'no-store')
      return metricsRegistry.metrics()
    },
  )
}
