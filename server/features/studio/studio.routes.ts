/**
 * 课件工作室: editors write drafts for their unit, a second person reviews them against the
 * published version, and each approval is a version phones pull (docs/studio.md).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely, Transaction } from 'kysely'
import { Lecturer, LecturerQuery } from '../../../src/protocol/admin.ts'
import { errorResponses, IdParams, Page } from '../../../src/protocol/common.ts'
import {
  CourseCategory,
  CourseCategoryBody,
  CourseCategoryList,
  CourseCategoryQuery,
  CreateItemBody,
  RejectBody,
  RevisionBody,
  RollbackBody,
  SaveConflict,
  SaveItemBody,
  StudioDiff,
  StudioItem,
  StudioItemPage,
  StudioListQuery,
  StudioVersionList,
  type Draft,
} from '../../../src/protocol/studio.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError, notFound } from '../../shared/errors.ts'
import type { SessionContext } from '../auth/auth.repository.ts'
import { decodeKey } from '../admin/access.ts'
import { UPLOADED_MEDIA_PREFIX, type MediaStore } from '../media/mediaStore.ts'
import { listLecturers, toLecturer } from '../lecturers/lecturers.repository.ts'
import { assertStudioAccess } from './studio.access.ts'
import { diffDraft } from './studio.diff.ts'
import { publishBody, unpublishContent, type MediaSize } from './studio.publish.ts'
import { findItem, listItems, listVersions, newContentId, newDraftRow, publishedBody, toItem, withPartIds, type ItemRow } from './studio.repository.ts'
import { draftProblems, ruleContext } from './studio.validate.ts'

const staleRevision = () => new ApiError(409, 'STALE_REVISION', 'Someone saved this draft after you opened it.', 'body.revision')

export const studioRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; mediaStore: MediaStore }> = async (app, { db, mediaStore }) => {
  const sizeOf: MediaSize = async (url) => {
    if (!url.startsWith(UPLOADED_MEDIA_PREFIX)) return 0
    return (await mediaStore.stat(url.slice(UPLOADED_MEDIA_PREFIX.length).split('?')[0]!))?.bytes ?? 0
  }

  /** The item, after checking the person may work on its unit (404 before 403 leaks nothing: ids are random). */
  async function itemFor(auth: SessionContext, id: string): Promise<ItemRow> {
    const row = await findItem(db, id)
    if (!row) throw notFound('Studio item')
    await assertStudioAccess(db, auth.personId, row.org_unit_id)
    return row
  }

  const problemsOf = async (row: Pick<ItemRow, 'path'>, draft: Draft) => draftProblems(draft, await ruleContext(db, row.path, draft))

  /** Someone other than the last editor and the submitter reviews a submitted draft. */
  const mayReview = (row: ItemRow, personId: string) => row.status === 'submitted' && row.submitted_by !== personId && row.updated_by !== personId

  async function present(row: ItemRow, auth: SessionContext) {
    const draft = JSON.parse(row.draft) as Draft
    return toItem(row, { problems: await problemsOf(row, draft), canReview: mayReview(row, auth.personId) })
  }

  async function reload(auth: SessionContext, id: string) {
    return present((await findItem(db, id))!, auth)
  }

  app.get(
    '/api/v1/studio/items',
    { schema: { tags: ['studio'], querystring: StudioListQuery, response: { 200: StudioItemPage, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const auth = requireAuth(request)
      const { orgUnitId, kind, cursor, limit = 20 } = request.query
      await assertStudioAccess(db, auth.personId, orgUnitId)
      return listItems(db, orgUnitId, kind, limit, decodeKey<[number, string]>(cursor, 2))
    },
  )

  /** The lecturer pool a course of this unit may name: its own, the units' above and below (师资库). */
  app.get(
    '/api/v1/studio/lecturers',
    { schema: { tags: ['studio'], querystring: LecturerQuery, response: { 200: Page(Lecturer), ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const auth = requireAuth(request)
      const { orgUnitId, cursor, limit = 50 } = request.query
      await assertStudioAccess(db, auth.personId, orgUnitId)
      const unit = await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirstOrThrow()
      const page = await listLecturers(db, unit.path, limit, decodeKey<[string, string]>(cursor, 2))
      return { items: page.items.map((l) => toLecturer(l, false)), next: page.next }
    },
  )

  /** The specialty categories a course of this unit may pick: the unit's own and those above it. */
  app.get(
    '/api/v1/studio/categories',
    { schema: { tags: ['studio'], querystring: CourseCategoryQuery, response: { 200: CourseCategoryList, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const auth = requireAuth(request)
      await assertStudioAccess(db, auth.personId, request.query.orgUnitId)
      const unit = await db.selectFrom('org_unit').select('path').where('id', '=', request.query.orgUnitId).executeTakeFirstOrThrow()
      const rows = await db
        .selectFrom('course_category')
        .innerJoin('org_unit', 'org_unit.id', 'course_category.org_unit_id')
        .select(['course_category.id', 'course_category.title', 'course_category.org_unit_id', 'org_unit.name'])
        .where('course_category.org_unit_id', 'in', unit.path.split('/').filter(Boolean))
        .orderBy('course_category.title')
        .execute()
      return { items: rows.map((r) => ({ id: r.id, title: r.title, orgUnitId: r.org_unit_id, orgUnitName: r.name })) }
    },
  )

  /** 新建特色课分类: a district or township editor adds one for their unit; titles are unique per unit. */
  app.post(
    '/api/v1/studio/categories',
    { schema: { tags: ['studio'], body: CourseCategoryBody, response: { 201: CourseCategory, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      const { orgUnitId } = request.body
      const title = request.body.title.trim()
      await assertStudioAccess(db, auth.personId, orgUnitId)
      const unit = await db.selectFrom('org_unit').select(['path', 'kind', 'name']).where('id', '=', orgUnitId).executeTakeFirstOrThrow()
      if (unit.kind !== 'district' && unit.kind !== 'township') throw new ApiError(400, 'VALIDATION', 'body.orgUnitId: specialty categories belong to a district or a township', 'body.orgUnitId')
      if (!title) throw new ApiError(400, 'VALIDATION', 'body.title is required', 'body.title')
      const own = await db.selectFrom('course_category').select(['id', 'title']).where('org_unit_id', '=', orgUnitId).execute()
      if (own.some((c) => c.title === title)) throw new ApiError(409, 'CATEGORY_EXISTS', 'This unit already has a category with this title.', 'body.title')
      if (own.length >= 50) throw new ApiError(409, 'TOO_MANY_CATEGORIES', 'A unit keeps at most 50 specialty categories.', 'body.title')
      const row = { id: newContentId(), org_unit_id: orgUnitId, title, created_by: auth.personId, created_at: Date.now() }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('course_category').values(row).execute()
        await writeAudit(trx, auth, 'studio.category', row.id, { title }, row.created_at, unit.path)
      })
      return reply.status(201).send({ id: row.id, title, orgUnitId, orgUnitName: unit.name })
    },
  )

  app.post(
    '/api/v1/studio/items',
    { schema: { tags: ['studio'], body: CreateItemBody, response: { 201: StudioItem, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      const { orgUnitId } = request.body
      await assertStudioAccess(db, auth.personId, orgUnitId)
      const draft = withPartIds(request.body.draft, null, 'body.draft')
      const now = Date.now()
      const id = randomUUID()
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('studio_item').values(newDraftRow(id, draft, orgUnitId, auth.personId, now)).execute()
        const unit = await trx.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirstOrThrow()
        await writeAudit(trx, auth, 'studio.create', id, { kind: draft.type, title: draft.title }, now, unit.path)
      })
      return reply.status(201).send(await reload(auth, id))
    },
  )

  app.get(
    '/api/v1/studio/items/:id',
    { schema: { tags: ['studio'], params: IdParams, response: { 200: StudioItem, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const auth = requireAuth(request)
      return present(await itemFor(auth, request.params.id), auth)
    },
  )

  /**
   * Saves the draft if nobody saved since `revision`; otherwise 409 with both the draft sent and
   * the current item, so the editor merges by hand instead of one overwriting the other. Editing
   * a submitted draft withdraws the submission: a reviewer approves exactly what they saw.
   */
  app.put(
    '/api/v1/studio/items/:id',
    { schema: { tags: ['studio'], params: IdParams, body: SaveItemBody, response: { 200: StudioItem, 409: SaveConflict, ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      const { revision } = request.body
      if (request.body.draft.type !== row.kind) throw new ApiError(400, 'VALIDATION', `body.draft.type must be ${row.kind}`, 'body.draft.type')
      const draft = withPartIds(request.body.draft, JSON.parse(row.draft) as Draft, 'body.draft')
      const now = Date.now()
      const saved = await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('studio_item')
          .set({ draft: JSON.stringify(draft), title: draft.title, revision: revision + 1, status: 'draft', submitted_by: null, updated_by: auth.personId, updated_at: now })
          .where('id', '=', row.id)
          .where('revision', '=', revision)
          .executeTakeFirst()
        if (result.numUpdatedRows === 0n) return false
        await writeAudit(trx, auth, 'studio.save', row.id, { revision: revision + 1, title: draft.title }, now, row.path)
        return true
      })
      if (!saved) {
        const theirs = await reload(auth, row.id)
        const err = staleRevision()
        return reply.status(409).send({ statusCode: 409, code: 'STALE_REVISION', message: err.message, field: err.field!, mine: request.body.draft, theirs })
      }
      return reload(auth, row.id)
    },
  )

  /** Moves the item on if nobody changed it since the reader saw `revision` (else 409), with the writes that go with it. */
  async function transition(row: ItemRow, revision: number, set: Partial<Database['studio_item']>, write?: (trx: Transaction<Database>) => Promise<void>) {
    return db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('studio_item').set(set).where('id', '=', row.id).where('revision', '=', revision).where('status', '=', row.status).executeTakeFirst()
      if (result.numUpdatedRows === 0n) throw staleRevision()
      await write?.(trx)
    })
  }

  app.post(
    '/api/v1/studio/items/:id/submit',
    { schema: { tags: ['studio'], params: IdParams, body: RevisionBody, response: { 200: StudioItem, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      if (row.status === 'submitted' || row.status === 'published') throw new ApiError(409, 'NOTHING_TO_SUBMIT', row.status === 'submitted' ? 'This draft is already waiting for review.' : 'This draft is what phones have already.')
      const [problem] = await problemsOf(row, JSON.parse(row.draft) as Draft)
      if (problem) throw new ApiError(400, 'DRAFT_INVALID', problem.message, `draft.${problem.field}`)
      const now = Date.now()
      await transition(row, request.body.revision, { status: 'submitted', submitted_by: auth.personId, reject_reason: null }, (trx) =>
        writeAudit(trx, auth, 'studio.submit', row.id, { revision: row.revision, title: row.title }, now, row.path),
      )
      return reload(auth, row.id)
    },
  )

  app.get(
    '/api/v1/studio/items/:id/diff',
    { schema: { tags: ['studio'], params: IdParams, response: { 200: StudioDiff, ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const row = await itemFor(requireAuth(request), request.params.id)
      return diffDraft(await publishedBody(db, row), JSON.parse(row.draft) as Draft)
    },
  )

  /** 审核通过: a second person publishes exactly the revision they reviewed, as a new version. */
  app.post(
    '/api/v1/studio/items/:id/approve',
    { schema: { tags: ['studio'], params: IdParams, body: RevisionBody, response: { 200: StudioItem, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      if (row.status !== 'submitted') throw new ApiError(409, 'NOT_SUBMITTED', 'Only a submitted draft can be approved.')
      if (!mayReview(row, auth.personId)) throw new ApiError(403, 'SELF_APPROVAL', 'Someone other than its editor approves a draft.')
      const draft = JSON.parse(row.draft) as Draft
      const [problem] = await problemsOf(row, draft)
      if (problem) throw new ApiError(400, 'DRAFT_INVALID', problem.message, `draft.${problem.field}`)
      const number = (row.published_version === null ? 0 : await lastVersion(row.id)) + 1
      const now = Date.now()
      await transition(row, request.body.revision, { status: 'published', published_version: number, unpublished: 0, reject_reason: null }, async (trx) => {
        await trx
          .insertInto('studio_version')
          .values({ item_id: row.id, number, body: row.draft, edited_by: row.updated_by, approved_by: auth.personId, published_at: now, action: 'publish', rolled_back_from: null })
          .execute()
        await publishBody(trx, draft, { contentId: row.content_id, orgUnitId: row.org_unit_id, unitPath: row.path, now }, sizeOf)
        await writeAudit(trx, auth, 'studio.publish', row.id, { version: number, title: row.title, editor: row.updated_by_name }, now, row.path)
      })
      return reload(auth, row.id)
    },
  )

  async function lastVersion(itemId: string): Promise<number> {
    const r = await db.selectFrom('studio_version').select((eb) => eb.fn.max('number').as('n')).where('item_id', '=', itemId).executeTakeFirst()
    return Number(r?.n ?? 0)
  }

  app.post(
    '/api/v1/studio/items/:id/reject',
    { schema: { tags: ['studio'], params: IdParams, body: RejectBody, response: { 200: StudioItem, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      const reason = request.body.reason.trim()
      if (!reason) throw new ApiError(400, 'VALIDATION', 'body.reason: say what to change', 'body.reason')
      if (row.status !== 'submitted') throw new ApiError(409, 'NOT_SUBMITTED', 'Only a submitted draft can be sent back.')
      if (!mayReview(row, auth.personId)) throw new ApiError(403, 'SELF_APPROVAL', 'Someone other than its editor reviews a draft.')
      const now = Date.now()
      await transition(row, request.body.revision, { status: 'rejected', reject_reason: reason }, (trx) =>
        writeAudit(trx, auth, 'studio.reject', row.id, { reason, title: row.title }, now, row.path),
      )
      return reload(auth, row.id)
    },
  )

  app.get(
    '/api/v1/studio/items/:id/versions',
    { schema: { tags: ['studio'], params: IdParams, response: { 200: StudioVersionList, ...errorResponses(401, 403, 404) } } },
    async (request) => ({ items: await listVersions(db, await itemFor(requireAuth(request), request.params.id)) }),
  )

  /**
   * 回滚: an earlier version, approved by two people when it was published, becomes the newest
   * version. A draft in progress stays as it is; a draft equal to the old published one follows.
   */
  app.post(
    '/api/v1/studio/items/:id/rollback',
    { schema: { tags: ['studio'], params: IdParams, body: RollbackBody, response: { 200: StudioItem, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      const old = await db.selectFrom('studio_version').selectAll().where('item_id', '=', row.id).where('number', '=', request.body.version).executeTakeFirst()
      if (!old) throw new ApiError(400, 'VALIDATION', 'body.version is not a version of this item', 'body.version')
      const number = (await lastVersion(row.id)) + 1
      const now = Date.now()
      const draftFollows = row.status === 'published'
      await transition(
        row,
        row.revision,
        { published_version: number, unpublished: 0, ...(draftFollows ? { draft: old.body, revision: row.revision + 1, title: (JSON.parse(old.body) as Draft).title } : {}) },
        async (trx) => {
          await trx
            .insertInto('studio_version')
            .values({ item_id: row.id, number, body: old.body, edited_by: old.edited_by, approved_by: auth.personId, published_at: now, action: 'rollback', rolled_back_from: old.number })
            .execute()
          await publishBody(trx, JSON.parse(old.body) as Draft, { contentId: row.content_id, orgUnitId: row.org_unit_id, unitPath: row.path, now }, sizeOf)
          await writeAudit(trx, auth, 'studio.rollback', row.id, { version: number, from: old.number, title: row.title }, now, row.path)
        },
      )
      return reload(auth, row.id)
    },
  )

  /** 下架: phones remove it on their next pull (tombstones); the history stays for a later rollback. */
  app.post(
    '/api/v1/studio/items/:id/unpublish',
    { schema: { tags: ['studio'], params: IdParams, response: { 200: StudioItem, ...errorResponses(401, 403, 404, 409) } } },
    async (request) => {
      const auth = requireAuth(request)
      const row = await itemFor(auth, request.params.id)
      if (row.published_version === null || row.unpublished === 1) throw new ApiError(409, 'NOT_PUBLISHED', 'This item is not on phones.')
      const now = Date.now()
      await transition(row, row.revision, { unpublished: 1 }, async (trx) => {
        await unpublishContent(trx, row.kind, row.content_id, now)
        await writeAudit(trx, auth, 'studio.unpublish', row.id, { version: row.published_version, title: row.title }, now, row.path)
      })
      return reload(auth, row.id)
    },
  )
}
