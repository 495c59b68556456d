import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import {
  AdminPerson,
  CreatedPerson,
  MovePerson,
  NewPersonBody,
  PeopleQuery,
  PersonDetail,
  PersonPatch,
  PersonStatus,
  RoleChange,
  type GrantableRole,
} from '../../../src/protocol/admin.ts'
import { ROLE_RANK, type OrgKind } from '../../../src/protocol/auth.ts'
import { errorResponses, IdParams } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import { hashPassword } from '../auth/password.ts'
import { revokeAllSessions, setPassword } from '../auth/auth.repository.ts'
import { erasePerson } from './erase.repository.ts'
import { actorOf, conflict, decodeKey, requireActiveUnit, type Actor } from './access.ts'
import {
  findPersonWithUnit,
  insertMembers,
  listPeople,
  movePerson,
  oneTimePassword,
  personDetail,
  phoneTaken,
  toAdminPerson,
} from './people.repository.ts'
import { refreshAssignedCourses } from '../reports/reportStats.repository.ts'

/** Which units each role is held on. */
const ROLE_UNIT_KINDS: Record<GrantableRole, OrgKind[]> = {
  group_leader: ['group'],
  secretary: ['branch'],
  supervisor: ['township', 'district'],
  editor: ['township', 'district'],
}

const alreadyErased = () => conflict('PERSON_ERASED', 'This person’s personal data has been erased; nothing about them can be changed.')
const phoneExists = () => conflict('PHONE_EXISTS', 'Another person already has this phone number.', 'body.phone')

/**
 * People 党员管理: secretaries manage the people of their branch, supervisors of their subtree.
 * Every change is one transaction with its audit entry, filed under the person's unit.
 */
export const peopleRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  /** The person, after checking the actor is a secretary (or higher) over their unit. */
  async function personFor(actor: Actor, id: string) {
    const person = await findPersonWithUnit(db, id)
    if (!person) throw notFound('Person')
    actor.require(person.path, 'secretary')
    return person
  }

  /**
   * The person to change: as personFor, and the actor must outrank every role they hold. An
   * erased person is final: 409, so no edit or reactivation brings an account back to life.
   */
  async function personToChange(actor: Actor, id: string) {
    const person = await personFor(actor, id)
    await actor.requireOver(person.id)
    if (person.erased_at != null) throw alreadyErased()
    return person
  }

  app.get(
    '/api/v1/admin/units/:id/people',
    { schema: { tags: ['admin'], params: IdParams, querystring: PeopleQuery, response: { 200: Type.Object({ items: Type.Array(AdminPerson), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'secretary')
      const { q, status, cursor, limit = 50 } = request.query
      return listPeople(db, unit.path, { q, status, limit, after: decodeKey<[string, string]>(cursor, 2) })
    },
  )

  app.get(
    '/api/v1/admin/people/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: PersonDetail, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      await personFor(actor, request.params.id)
      return personDetail(db, request.params.id)
    },
  )

  app.post(
    '/api/v1/admin/people',
    { schema: { tags: ['admin'], body: NewPersonBody, response: { 201: CreatedPerson, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const actor = await actorOf(db, requireAuth(request))
      const { orgUnitId, name, phone, ...flags } = request.body
      const unit = await actor.unit(orgUnitId, 'secretary')
      requireActiveUnit(unit, 'body.orgUnitId')
      requireRecentSignIn(actor.auth)
      if (await phoneTaken(db, phone)) throw phoneExists()
      const password = oneTimePassword()
      const passwordHash = await hashPassword(password)
      const id = await db.transaction().execute(async (trx) => {
        const [created] = await insertMembers(trx, [{ name: name.trim(), phone, unit, passwordHash, ...flags }])
        await writeAudit(trx, actor.auth, 'person.create', created!, { name, phone, orgUnitId }, Date.now(), unit.path)
        return created!
      })
      const person = await findPersonWithUnit(db, id)
      return reply.status(201).send({ person: toAdminPerson(person!), password })
    },
  )

  app.patch(
    '/api/v1/admin/people/:id',
    { schema: { tags: ['admin'], params: IdParams, body: PersonPatch, response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const person = await personToChange(actor, request.params.id)
      requireRecentSignIn(actor.auth)
      const { name, phone, isFlowing, isElderly, isCommittee, joinedPartyAt, occupation, birthYear } = request.body
      if (phone !== undefined && (await phoneTaken(db, phone, person.id))) throw phoneExists()
      const flag = (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0)
      const changes = Object.fromEntries(
        Object.entries({
          name: name?.trim(),
          phone,
          is_flowing: flag(isFlowing),
          is_elderly: flag(isElderly),
          is_committee: flag(isCommittee),
          joined_party_at: joinedPartyAt,
          occupation,
          birth_year: birthYear,
        }).filter(([, v]) => v !== undefined),
      )
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('person').set(changes).where('id', '=', person.id).execute()
        await refreshAssignedCourses(trx, [person.id])
        await writeAudit(trx, actor.auth, 'person.update', person.id, { name: person.name, changes: request.body }, Date.now(), person.path)
      })
      return personDetail(db, person.id)
    },
  )

  app.post(
    '/api/v1/admin/people/:id/move',
    { schema: { tags: ['admin'], params: IdParams, body: MovePerson, response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const person = await personToChange(actor, request.params.id)
      const unit = await actor.unit(request.body.orgUnitId, 'secretary')
      requireActiveUnit(unit, 'body.orgUnitId')
      requireRecentSignIn(actor.auth)
      if (unit.id !== person.org_unit_id) {
        await db.transaction().execute(async (trx) => {
          await movePerson(trx, person, unit)
          const detail = { name: person.name, from: person.org_unit_name, fromId: person.org_unit_id, to: unit.name, toId: unit.id }
          await writeAudit(trx, actor.auth, 'person.move', person.id, detail, Date.now(), unit.path)
        })
      }
      return personDetail(db, person.id)
    },
  )

  app.post(
    '/api/v1/admin/people/:id/status',
    { schema: { tags: ['admin'], params: IdParams, body: Type.Object({ status: PersonStatus }, { additionalProperties: false }), response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const person = await personToChange(actor, request.params.id)
      const { status } = request.body
      if (person.id === actor.auth.personId) throw new ApiError(403, 'OWN_ACCOUNT', 'You cannot deactivate yourself.')
      requireRecentSignIn(actor.auth)
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('person').set({ status }).where('id', '=', person.id).execute()
        await refreshAssignedCourses(trx, [person.id])
        // A deactivated person is signed out everywhere at once, not when a session expires.
        const sessions = status === 'inactive' ? await revokeAllSessions(trx, person.id) : 0
        await writeAudit(trx, actor.auth, status === 'inactive' ? 'person.deactivate' : 'person.activate', person.id, { name: person.name, sessions }, Date.now(), person.path)
      })
      return personDetail(db, person.id)
    },
  )

  app.post(
    '/api/v1/admin/people/:id/password',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: Type.Object({ password: Type.String() }), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const person = await personToChange(actor, request.params.id)
      if (person.id === actor.auth.personId) throw new ApiError(403, 'OWN_ACCOUNT', 'Reset your own password with a supervisor.')
      requireRecentSignIn(actor.auth)
      const password = oneTimePassword()
      const passwordHash = await hashPassword(password)
      await db.transaction().execute(async (trx) => {
        await setPassword(trx, person.id, passwordHash, true)
        const sessions = await revokeAllSessions(trx, person.id)
        await writeAudit(trx, actor.auth, 'person.password_reset', person.id, { name: person.name, sessions }, Date.now(), person.path)
      })
      return { password }
    },
  )

  /** Role changes: the actor must outrank-or-equal the role over its unit and lead the person's unit. */
  async function roleChange(actor: Actor, personId: string, role: GrantableRole, orgUnitId: string, field: string) {
    const person = await personToChange(actor, personId)
    if (person.id === actor.auth.personId) throw new ApiError(403, 'OWN_ROLES', 'Someone above you changes your own roles.')
    // An editor publishes to a whole township or district, so granting it takes a supervisor there.
    const unit = await actor.unit(orgUnitId, role === 'editor' ? 'supervisor' : ROLE_RANK[role] > ROLE_RANK.secretary ? role : 'secretary')
    if (!ROLE_UNIT_KINDS[role].includes(unit.kind)) {
      throw new ApiError(400, 'ROLE_KIND', `${role} is held on a ${ROLE_UNIT_KINDS[role].join(' or ')}.`, field)
    }
    requireRecentSignIn(actor.auth)
    return { person, unit }
  }

  app.post(
    '/api/v1/admin/people/:id/roles',
    { schema: { tags: ['admin'], params: IdParams, body: RoleChange, response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const { role, orgUnitId } = request.body
      const { person, unit } = await roleChange(actor, request.params.id, role, orgUnitId, 'body.orgUnitId')
      if (person.status !== 'active') throw conflict('PERSON_INACTIVE', 'Activate the person first.')
      requireActiveUnit(unit, 'body.orgUnitId')
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('role').values({ person_id: person.id, org_unit_id: unit.id, role }).onConflict((oc) => oc.doNothing()).execute()
        await writeAudit(trx, actor.auth, 'role.grant', person.id, { name: person.name, role, orgUnitId: unit.id, unit: unit.name }, Date.now(), unit.path)
      })
      return personDetail(db, person.id)
    },
  )

  app.delete(
    '/api/v1/admin/people/:id/roles',
    { schema: { tags: ['admin'], params: IdParams, querystring: RoleChange, response: { 200: PersonDetail, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const { role, orgUnitId } = request.query
      const { person, unit } = await roleChange(actor, request.params.id, role, orgUnitId, 'querystring.orgUnitId')
      await db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('role')
          .where('person_id', '=', person.id)
          .where('org_unit_id', '=', unit.id)
          .where('role', '=', role)
          .executeTakeFirst()
        if (Number(result.numDeletedRows) === 0) throw notFound('Role')
        await writeAudit(trx, actor.auth, 'role.revoke', person.id, { name: person.name, role, orgUnitId: unit.id, unit: unit.name }, Date.now(), unit.path)
      })
      return personDetail(db, person.id)
    },
  )

  app.post(
    '/api/v1/admin/people/:id/erase',
    {
      schema: {
        tags: ['admin'],
        description:
          'Processes a deletion request (PIPL art. 47): deactivates the person, deletes their sessions and roles, and ' +
          'scrubs their personal fields and what they wrote (docs/security.md), keeping the ids so every figure still adds ' +
          'up. District admins over the person, who must outrank them; needs a recent sign-in. Final: a second request ' +
          'answers 409 PERSON_ERASED. Audited as person.erase with ids and counts only.',
        params: IdParams,
        response: { 200: PersonDetail, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const found = await findPersonWithUnit(db, request.params.id)
      if (!found) throw notFound('Person')
      actor.require(found.path, 'admin')
      if (found.id === actor.auth.personId) throw new ApiError(403, 'OWN_ACCOUNT', 'Another district admin processes a request about you.')
      const person = await personToChange(actor, found.id)
      requireRecentSignIn(actor.auth)
      const now = Date.now()
      await db.transaction().execute(async (trx) => {
        const rows = await erasePerson(trx, person.id, now)
        // Two admins at once: the second finds the row erased already and changes nothing.
        if (!rows) throw alreadyErased()
        await refreshAssignedCourses(trx, [person.id])
        await writeAudit(trx, actor.auth, 'person.erase', person.id, { orgUnitId: person.org_unit_id, rows }, now, person.path)
      })
      return personDetail(db, person.id)
    },
  )
}
