import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely, Updateable } from 'kysely'
import {
  ChangePasswordBody,
  DeviceSession,
  LoginBody,
  LoginResponse,
  PrivacyAcceptBody,
  Profile,
  VerifyBody,
  VerifyResponse,
} from '../../../src/protocol/auth.ts'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import { OccupationBody } from '../../../src/protocol/survey.ts'
import { passwordProblem } from '../../../src/protocol/passwordPolicy.ts'
import type { Database, PersonTable } from '../../db/database.ts'
import { maskPhone, writeAudit } from '../../shared/audit.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { clear, hit, type Limit } from '../../shared/rateLimit.ts'
import {
  createSession,
  findPersonByPhone,
  listSessions,
  loadProfile,
  markVerified,
  revokeAllSessions,
  revokeSession,
  setPassword,
  type AuthContext,
  type SessionContext,
} from './auth.repository.ts'
import { dummyHash, hashPassword, verifyPassword } from './password.ts'

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
const wrongPassword = (field: string) => new ApiError(400, 'WRONG_PASSWORD', 'The password is wrong.', field)

/** The per-phone counter: sign-in, step-up and password change share it, so a stolen session cannot guess either. */
export const phoneKey = (phone: string) => `login:phone:${phone}`

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; limits: LoginLimits }> = async (
  app,
  { db, limits },
) => {
  /** Sets columns of the caller's own person row and audits it under their unit, in one transaction. */
  async function updateOwnPerson(auth: AuthContext, set: (now: number) => Updateable<PersonTable>, action: string, detail: Record<string, unknown>) {
    await db.transaction().execute(async (trx) => {
      const now = Date.now()
      await trx.updateTable('person').set(set(now)).where('id', '=', auth.personId).execute()
      const { path } = await trx
        .selectFrom('person')
        .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
        .select('org_unit.path')
        .where('person.id', '=', auth.personId)
        .executeTakeFirstOrThrow()
      await writeAudit(trx, auth, action, auth.personId, detail, now, path)
    })
    return loadProfile(db, auth.personId)
  }

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
      const person = await findPersonByPhone(db, phone)
      // A failed sign-in names nobody as its actor (whoever typed may not be the person); the
      // phone is masked and the password never logged.
      const failed = (reason: string) =>
        writeAudit(db, { personId: null, deviceName }, 'auth.login_failed', person?.id ?? maskPhone(phone), { phone: maskPhone(phone), ip: request.ip, reason }, Date.now(), person?.org_path ?? null)
      try {
        await hit(db, phoneKey(phone), limits.perPhone, Date.now(), 'ACCOUNT_LOCKED')
      } catch (err) {
        await failed('locked')
        throw err
      }
      const ok = await verifyPassword(password, person?.password_hash ?? (await dummyHash()))
      if (!person || !ok || person.status !== 'active') {
        await failed(!person ? 'unknown_phone' : !ok ? 'wrong_password' : 'inactive')
        throw badCredentials()
      }
      await clear(db, phoneKey(phone))
      const { token, session } = await createSession(db, person.id, deviceName)
      await writeAudit(db, { personId: person.id, deviceName }, 'auth.login', person.id, { ip: request.ip, sessionId: session.id }, Date.now(), person.org_path)
      request.log.info({ personId: person.id, sessionId: session.id }, 'signed in')
      return { token, sessionId: session.id, expiresAt: session.expires_at, profile: await loadProfile(db, person.id) }
    },
  )

  /**
   * The signed-in person's password checked against the per-phone counter (a locked phone
   * cannot try here either); a wrong one counts and is audited.
   */
  async function checkOwnPassword(request: { ip: string }, auth: SessionContext, password: string, field: string) {
    const person = await db
      .selectFrom('person')
      .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
      .select(['person.phone', 'person.password_hash', 'org_unit.path'])
      .where('person.id', '=', auth.personId)
      .executeTakeFirstOrThrow()
    await hit(db, phoneKey(person.phone), limits.perPhone, Date.now(), 'ACCOUNT_LOCKED')
    if (!(await verifyPassword(password, person.password_hash))) {
      await writeAudit(db, auth, 'auth.password_check_failed', auth.personId, { ip: request.ip, field }, Date.now(), person.path)
      throw wrongPassword(field)
    }
    await clear(db, phoneKey(person.phone))
    return person
  }

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags: ['auth'],
        description: 'Change my password. Signs out every other session of the person.',
        body: ChangePasswordBody,
        response: { 200: Profile, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const { currentPassword, newPassword } = request.body
      const person = await checkOwnPassword(request, auth, currentPassword, 'body.currentPassword')
      const problem = passwordProblem(newPassword, person.phone)
      if (problem) throw new ApiError(400, `PASSWORD_${problem}`, `The new password is not allowed: ${problem}.`, 'body.newPassword')
      // Keeping the one-time password would defeat the forced change.
      if (await verifyPassword(newPassword, person.password_hash)) {
        throw new ApiError(400, 'PASSWORD_UNCHANGED', 'Choose a password different from the current one.', 'body.newPassword')
      }
      const passwordHash = await hashPassword(newPassword)
      await db.transaction().execute(async (trx) => {
        const now = Date.now()
        await setPassword(trx, auth.personId, passwordHash, false, now)
        const sessions = await revokeAllSessions(trx, auth.personId, auth.sessionId, now)
        await markVerified(trx, auth.sessionId, now)
        await writeAudit(trx, auth, 'auth.password_change', auth.personId, { ip: request.ip, otherSessionsSignedOut: sessions }, now, person.path)
      })
      return loadProfile(db, auth.personId)
    },
  )

  app.post(
    '/api/v1/auth/privacy',
    {
      schema: {
        tags: ['auth'],
        description: '同意并继续: records that I accepted this version of the privacy notice (PIPL art. 17).',
        body: PrivacyAcceptBody,
        response: { 200: Profile, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { version } = request.body
      return updateOwnPerson(requireAuth(request), (now) => ({ privacy_accepted_version: version, privacy_accepted_at: now }), 'auth.privacy_accept', { version })
    },
  )

  app.put(
    '/api/v1/auth/me/occupation',
    {
      schema: {
        tags: ['auth'],
        description: '我的 → 职业: sets or clears (null) my own occupation category, which survey results split by. Only for oneself: an admin sets others’ on the person page.',
        body: OccupationBody,
        response: { 200: Profile, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { occupation } = request.body
      return updateOwnPerson(requireAuth(request), () => ({ occupation }), 'auth.occupation', { occupation })
    },
  )

  app.post(
    '/api/v1/auth/verify',
    {
      schema: {
        tags: ['auth'],
        description: 'Step-up: the password again; admin actions and exports are allowed for 15 minutes.',
        body: VerifyBody,
        response: { 200: VerifyResponse, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const auth = requireAuth(request)
      const person = await checkOwnPassword(request, auth, request.body.password, 'body.password')
      const now = Date.now()
      await markVerified(db, auth.sessionId, now)
      await writeAudit(db, auth, 'auth.verify', auth.personId, { ip: request.ip }, now, person.path)
      return { verifiedAt: now }
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
