/**
 * Studio packages: `GET /api/v1/studio/package` exports a course, a pocket-book category, a
 * question bank or a quiz (with its banks) as one
 * zip; `POST /api/v1/studio/package` imports one into a unit as drafts (docs/studio.md "Packages").
 * The body is the zip itself, as media uploads send their file.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { errorResponses } from '../../../../src/protocol/common.ts'
import { ORG_UNIT_ID } from '../../../../src/protocol/media.ts'
import { PACKAGE_MAX_BYTES, PackageExportQuery, PackageImportQuery, PackageImportResult } from '../../../../src/protocol/studioPackage.ts'
import type { Database } from '../../../db/database.ts'
import { writeAudit } from '../../../shared/audit.ts'
import { grantsOf, requireAuth } from '../../../shared/authz.ts'
import { ApiError, notFound } from '../../../shared/errors.ts'
import type { MediaStore } from '../../media/mediaStore.ts'
import { assertStudioAccess, notEditor, opensStudio } from '../studio.access.ts'
import { exportBank, exportCourse, exportPocketCategory, exportQuiz } from './package.export.ts'
import { importPackage, type PackageVideoOptions } from './package.import.ts'
import { writeZip } from './zip.ts'

const tooLarge = () => new ApiError(413, 'PACKAGE_TOO_LARGE', `Packages up to ${PACKAGE_MAX_BYTES / 1024 / 1024} MB are accepted.`, 'body')

export const packageRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; store: MediaStore; contentMediaDir: string; video: PackageVideoOptions }> = async (app, { db, store, contentMediaDir, video }) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PACKAGE_MAX_BYTES }, (_request, body, done) => done(null, body))

  const unitPath = async (id: string) => {
    const unit = await db.selectFrom('org_unit').select('path').where('id', '=', id).executeTakeFirst()
    if (!unit) throw notFound('Organisation unit')
    return unit.path
  }

  app.get(
    '/api/v1/studio/package',
    { schema: { tags: ['studio'], querystring: PackageExportQuery, response: { 200: Type.String({ description: 'application/zip' }), ...errorResponses(400, 401, 403, 404, 409, 413) } } },
    async (request, reply) => {
      const auth = requireAuth(request)
      const { orgUnitId, kind, id } = request.query
      await assertStudioAccess(db, auth.personId, orgUnitId)
      const path = await unitPath(orgUnitId)
      const src = { db, store, contentMediaDir }
      // A course, bank or quiz on the unit's line: its own, one from above it shares down, one from below shares up.
      const onLine = async (table: 'course' | 'question' | 'quiz', column: 'id' | 'bank_id', what: string) => {
        const row = await db.selectFrom(table as 'course').innerJoin('org_unit', 'org_unit.id', `${table as 'course'}.org_unit_id`).select('org_unit.path').where(`${table as 'course'}.${column as 'id'}`, '=', id).executeTakeFirst()
        if (!row || !(path.startsWith(row.path) || row.path.startsWith(path))) throw notFound(what)
      }
      let files
      if (kind === 'course') {
        await onLine('course', 'id', 'Course')
        files = await exportCourse(src, id)
      } else if (kind === 'question_bank') {
        await onLine('question', 'bank_id', 'Question bank')
        files = await exportBank(src, id)
      } else if (kind === 'quiz') {
        await onLine('quiz', 'id', 'Quiz')
        files = await exportQuiz(src, id)
      } else {
        files = await exportPocketCategory(src, id, path)
      }
      await writeAudit(db, auth, 'studio.export', id, { kind, files: files.size }, Date.now(), path)
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${kind === 'pocket_category' ? 'pocket' : kind.replace('_', '-')}-${id}.zip"`)
        // A Buffer goes out as it is (Fastify serialises no Buffer); the schema's string only names the type.
        .send(Buffer.from(writeZip(files)) as unknown as string)
    },
  )

  app.post(
    '/api/v1/studio/package',
    {
      schema: { tags: ['studio'], querystring: PackageImportQuery, response: { 201: PackageImportResult, ...errorResponses(400, 401, 403, 404, 413, 415) } },
      // Before the body is read: who may import here, and a declared size over the limit, cost no upload.
      onRequest: async (request) => {
        const { orgUnitId } = request.query as Record<string, unknown>
        const personId = requireAuth(request).personId
        if (typeof orgUnitId === 'string' && ORG_UNIT_ID.test(orgUnitId)) await assertStudioAccess(db, personId, orgUnitId)
        else if (!(await grantsOf(db, personId)).some(opensStudio)) throw notEditor()
        if (Number(request.headers['content-length']) > PACKAGE_MAX_BYTES) throw tooLarge()
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const { orgUnitId } = request.query
      const zip = request.body as Buffer | undefined
      if (!zip?.length) throw new ApiError(400, 'VALIDATION', "body must be the package's bytes (a .zip file)", 'body')
      const result = await importPackage(db, store, zip, { orgUnitId, unitPath: await unitPath(orgUnitId), actor: auth, video })
      return reply.status(201).send(result)
    },
  )
}
