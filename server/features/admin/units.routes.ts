import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { AdminUnit, MoveUnit, NewUnit, RenameUnit, UnitView } from '../../../src/protocol/admin.ts'
import { errorResponses, IdParams, PageQuery } from '../../../src/protocol/common.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth, requireRecentSignIn } from '../../shared/authz.ts'
import { actorOf, conflict, decodeKey, requireActiveUnit } from './access.ts'
import { CHILD_KIND, createUnit, hasActiveMembers, moveUnit, nameTaken, retireSubtree, unitView } from './units.repository.ts'

const nameExists = (field: string) => conflict('NAME_TAKEN', 'A unit with this name already exists at this place.', field)

/** The org tree 组织架构: secretaries read their part, supervisors change it. */
export const unitRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/admin/units/:id',
    { schema: { tags: ['admin'], params: IdParams, querystring: PageQuery, response: { 200: UnitView, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'secretary')
      const { cursor, limit = 50 } = request.query
      return unitView(db, unit, limit, decodeKey<[string, string]>(cursor, 2))
    },
  )

  app.post(
    '/api/v1/admin/units',
    { schema: { tags: ['admin'], body: NewUnit, response: { 201: AdminUnit, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const actor = await actorOf(db, requireAuth(request))
      const parent = await actor.unit(request.body.parentId, 'supervisor')
      requireRecentSignIn(actor.auth)
      requireActiveUnit(parent, 'body.parentId')
      const kind = CHILD_KIND[parent.kind]
      if (!kind) throw conflict('NO_CHILD_KIND', 'A party group has no units below it.', 'body.parentId')
      if (await nameTaken(db, parent.id, request.body.name.trim())) throw nameExists('body.name')
      const unit = await db.transaction().execute(async (trx) => {
        const created = await createUnit(trx, parent, kind, request.body.name.trim())
        await writeAudit(trx, actor.auth, 'unit.create', created.id, { name: created.name, kind, parentId: parent.id }, Date.now(), created.path)
        return created
      })
      return reply.status(201).send({ id: unit.id, parentId: parent.id, kind, name: unit.name, retired: false, memberCount: 0, childCount: 0 })
    },
  )

  app.patch(
    '/api/v1/admin/units/:id',
    { schema: { tags: ['admin'], params: IdParams, body: RenameUnit, response: { 200: UnitView, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'supervisor')
      requireRecentSignIn(actor.auth)
      const name = request.body.name.trim()
      if (unit.parent_id && (await nameTaken(db, unit.parent_id, name, unit.id))) throw nameExists('body.name')
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('org_unit').set({ name }).where('id', '=', unit.id).execute()
        await writeAudit(trx, actor.auth, 'unit.rename', unit.id, { from: unit.name, to: name }, Date.now(), unit.path)
      })
      return unitView(db, { ...unit, name }, 50)
    },
  )

  app.post(
    '/api/v1/admin/units/:id/move',
    { schema: { tags: ['admin'], params: IdParams, body: MoveUnit, response: { 200: UnitView, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'supervisor')
      // Both ends must lie in the actor's subtree: nothing can be moved out of it (or into it).
      const parent = await actor.unit(request.body.parentId, 'supervisor')
      requireRecentSignIn(actor.auth)
      if (parent.path.startsWith(unit.path)) {
        throw conflict('MOVE_INTO_ITSELF', 'A unit cannot move into its own subtree.', 'body.parentId')
      }
      if (CHILD_KIND[parent.kind] !== unit.kind) {
        throw conflict('KIND_MISMATCH', `A ${unit.kind} belongs under a unit of the level above it.`, 'body.parentId')
      }
      requireActiveUnit(parent, 'body.parentId')
      if (await nameTaken(db, parent.id, unit.name, unit.id)) throw nameExists('body.parentId')
      const moved = await db.transaction().execute(async (trx) => {
        const path = await moveUnit(trx, unit, parent)
        await writeAudit(trx, actor.auth, 'unit.move', unit.id, { name: unit.name, fromParentId: unit.parent_id, toParentId: parent.id }, Date.now(), path)
        return { ...unit, parent_id: parent.id, path }
      })
      return unitView(db, moved, 50)
    },
  )

  app.post(
    '/api/v1/admin/units/:id/retire',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: UnitView, ...errorResponses(401, 403, 404, 409) } } },
    async (request) => {
      const actor = await actorOf(db, requireAuth(request))
      const unit = await actor.unit(request.params.id, 'supervisor')
      requireRecentSignIn(actor.auth)
      const now = Date.now()
      await db.transaction().execute(async (trx) => {
        // Checked inside the transaction, next to the write it guards.
        if (await hasActiveMembers(trx, unit.path)) {
          throw conflict('UNIT_HAS_MEMBERS', 'Move or deactivate its members first.')
        }
        const units = await retireSubtree(trx, unit.path, now)
        await writeAudit(trx, actor.auth, 'unit.retire', unit.id, { name: unit.name, units }, now, unit.path)
      })
      return unitView(db, { ...unit, retired_at: now }, 50)
    },
  )
}
