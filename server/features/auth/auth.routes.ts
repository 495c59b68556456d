import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { DeviceSession, LoginBody, LoginResponse, Profile } from '../../../src/protocol/auth.ts'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { clear, hit, type Limit } from '../../shared/rateLimit.ts'
import { createSession, findPersonByPhone, listSessions, loadProfile, revokeSession } from './auth.repository.ts'
import { dummyHash, verifyPassword } from './password.ts'

export interface LoginLimits {
  perPhone: Limit
  perIp: Limit
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perPhone: { max: 10, windowMs: 15 * 60 * 1000 },
  perIp: { max: 100, windowMs: 15 * 60 * 1000 },
}

// One message for an unknown phone and a wrong password, so phones cannot be probed.
const badCredentials = () => new ApiError(401, 'INVALID_CREDENTIALS', 'Phone number or password is wrong.')

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; limits: LoginLimits }> = async (
  app,
  { db, limits },
) => {
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        body: LoginBody,
        response: { 200: LoginResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const { phone, password, deviceName } = request.body
      await hit(db, `login:ip:${request.ip}`, limits.perIp)
      await hit(db, `login:phone:${phone}`, limits.perPhone)
      const person = await findPersonByPhone(db, phone)
      const ok = await verifyPassword(password, person?.password_hash ?? (await dummyHash()))
      if (!person || !ok || person.status !== 'active') throw badCredentials()
      await clear(db, `login:phone:${phone}`)
      const { token, session } = await createSession(db, person.id, deviceName)
      request.log.info({ personId: person.id, sessionId: session.id }, 'signed in')
      return { token, sessionId: session.id, expiresAt: session.expires_at, profile: await loadProfile(db, person.id) }
    },
  )

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], response: { 204: Type.Null(), ...errorResponses(401) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      await revokeSession(db, auth.personId, auth.sessionId)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api/v1/auth/me',
    { schema: { tags: ['auth'], response: { 200: Profile, ...errorResponses(401) } } },
    async (request) => loadProfile(db, requireAuth(request).personId),
  )

  app.get(
    '/api/v1/auth/sessions',
    { schema: { tags: ['auth'], response: { 200: Type.Array(DeviceSession), ...errorResponses(401) } } },
    async (request) => {
      const auth = requireAuth(request)
      const rows = await listSessions(db, auth.personId)
      return rows.map((s) => ({
        id: s.id,
        deviceName: s.device_name,
        createdAt: s.created_at,
        lastSeenAt: s.last_seen_at,
        expiresAt: s.expires_at,
        current: s.id === auth.sessionId,
      }))
    },
  )

  app.delete(
    '/api/v1/auth/sessions/:id',
    { schema: { tags: ['auth'], params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 404) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      if (!(await revokeSession(db, auth.personId, request.params.id))) throw notFound('Session')
      return reply.status(204).send(null)
    },
  )
}
