import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { errorResponses } from '../../../src/protocol/common.ts'
import { MediaLimits, MediaUploadHeaders, MediaUploadQuery, ORG_UNIT_ID, UploadedMedia, type MediaKind } from '../../../src/protocol/media.ts'
import type { Database } from '../../db/database.ts'
import { writeAudit } from '../../shared/audit.ts'
import { requireAuth } from '../../shared/authz.ts'
import { ApiError } from '../../shared/errors.ts'
import { assertStudioAccess } from '../studio/studio.access.ts'
import { reencodeImage } from './image.ts'
import { MAX_UPLOAD_BYTES, MEDIA_LIMITS } from './limits.ts'
import type { MediaStore } from './mediaStore.ts'
import { refusalReason, sniffMediaType } from './mediaType.ts'

const MB = 1024 * 1024

const tooLarge = (kind: MediaKind) =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', `${kind === 'image' ? 'Images' : 'Recordings'} up to ${MEDIA_LIMITS[kind].maxBytes / MB} MB are accepted.`)

const accepted = (kind: MediaKind) => `Accepted here: ${MEDIA_LIMITS[kind].formats.join(', ')}.`

/** The picked file's name, for captions: percent-decoded, without folders or control characters. */
function fileName(header: string): string {
  let name: string
  try {
    name = decodeURIComponent(header)
  } catch {
    throw new ApiError(400, 'VALIDATION', 'headers.x-file-name must be percent-encoded UTF-8', 'headers.x-file-name')
  }
  // eslint-disable-next-line no-control-regex
  name = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200)
  if (!name) throw new ApiError(400, 'VALIDATION', 'headers.x-file-name must name the file', 'headers.x-file-name')
  return name
}

/** The unit an upload is filed under in the audit log: the one the editor works for, or their own. */
async function auditPath(db: Kysely<Database>, personId: string, orgUnitId: string | undefined): Promise<string | null> {
  const row = orgUnitId
    ? await db.selectFrom('org_unit').select('path').where('id', '=', orgUnitId).executeTakeFirst()
    : await db.selectFrom('person').innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id').select('org_unit.path').where('person.id', '=', personId).executeTakeFirst()
  return row?.path ?? null
}

/**
 * Studio uploads: images and recordings for lessons. The body is the file itself (no multipart:
 * one file per request, and XMLHttpRequest reports its upload progress). The type comes from the
 * bytes; images are re-encoded (image.ts); everything lands content-addressed in the media store,
 * so the same file uploaded twice is one object and its URL can be cached by phones for ever.
 * Nothing is stored or audited for a refused file.
 */
export const mediaUploadRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; store: MediaStore }> = async (app, { db, store }) => {
  // Only this plugin's routes read raw bytes: whatever type the browser claims (image/jpeg, text/html,
  // none), the body arrives untouched and the bytes decide.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body))

  app.get(
    '/api/v1/studio/media/limits',
    { schema: { tags: ['studio'], response: { 200: MediaLimits, ...errorResponses(401, 403) } } },
    async (request) => {
      await assertStudioAccess(db, requireAuth(request).personId)
      return MEDIA_LIMITS
    },
  )

  app.post(
    '/api/v1/studio/media',
    {
      schema: {
        tags: ['studio'],
        querystring: MediaUploadQuery,
        headers: MediaUploadHeaders,
        response: { 201: UploadedMedia, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
      // Before the body is read: a member, an editor of another unit or an oversize file costs no
      // upload bandwidth or memory. The query is not validated yet: a unit id of any other shape
      // (a NUL, an array) is not looked up here, and validation then refuses it (ORG_UNIT_ID).
      onRequest: async (request) => {
        const { kind, orgUnitId } = request.query as Record<string, unknown>
        const unit = typeof orgUnitId === 'string' && ORG_UNIT_ID.test(orgUnitId) ? orgUnitId : undefined
        await assertStudioAccess(db, requireAuth(request).personId, unit)
        const declared = Number(request.headers['content-length'])
        if ((kind === 'image' || kind === 'audio') && declared > MEDIA_LIMITS[kind].maxBytes) throw tooLarge(kind)
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request)
      const { kind, orgUnitId } = request.query
      const name = fileName(request.headers['x-file-name'])
      const input = request.body as Buffer | undefined
      if (!input?.length) throw new ApiError(400, 'VALIDATION', "body must be the file's bytes", 'body')
      // Without a Content-Length (chunked), only the route's overall limit applied while reading.
      if (input.length > MEDIA_LIMITS[kind].maxBytes) throw tooLarge(kind)

      const type = sniffMediaType(input)
      if (!type) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `${refusalReason(input)} ${accepted(kind)}`)
      if (type.kind !== kind) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `This is ${type.kind === 'image' ? 'an image' : 'a recording'}. ${accepted(kind)}`)

      const image = type.kind === 'image' ? await reencodeImage(input, type.ext) : undefined
      const saved = await store.put(image?.bytes ?? input, type.ext)
      const now = Date.now()
      const detail = { kind, name, bytes: saved.bytes, width: image?.width, height: image?.height, claimedType: request.headers['content-type'] ?? null }
      await writeAudit(db, auth, 'media.upload', saved.key, detail, now, await auditPath(db, auth.personId, orgUnitId))
      return reply.status(201).send({ url: saved.url, kind, bytes: saved.bytes, width: image?.width, height: image?.height, name })
    },
  )
}
