/**
 * Studio media uploads (issue 15): POST /api/v1/studio/media takes the file's bytes as the raw
 * body; GET /api/v1/studio/media/limits says what is accepted before anyone picks a file.
 */
import { Type, type Static } from 'typebox'

export const MediaKind = Type.Union([Type.Literal('image'), Type.Literal('audio')])
export type MediaKind = Static<typeof MediaKind>

/** Unit ids are UUIDs; the upload route checks the unit before it reads the body, so only this shape is looked up. */
export const ORG_UNIT_ID = /^[0-9A-Za-z-]{1,64}$/

export const MediaUploadQuery = Type.Object(
  {
    /** What the editor meant to upload: an audio file sent to an image field is refused (415). */
    kind: MediaKind,
    /** The unit the editor works for; recorded in the audit log. Optional: the uploader's own unit otherwise. */
    orgUnitId: Type.Optional(Type.String({ pattern: ORG_UNIT_ID.source })),
  },
  { additionalProperties: false },
)
export type MediaUploadQuery = Static<typeof MediaUploadQuery>

export const MediaUploadHeaders = Type.Object({
  /** The file's name, percent-encoded (headers carry Latin-1 only; 党课.jpg is %E5%85%9A%E8%AF%BE.jpg). */
  'x-file-name': Type.String({ minLength: 1, maxLength: 1000 }),
})

export const UploadedMedia = Type.Object({
  /** `/media/u/<hash>.<ext>?v=…`: content-addressed, cacheable for ever. */
  url: Type.String(),
  kind: MediaKind,
  /** Size as stored (after re-encoding, for images). */
  bytes: Type.Integer(),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  /** The file name the editor picked (for captions and alt text). */
  name: Type.String(),
})
export type UploadedMedia = Static<typeof UploadedMedia>

const maxBytes = Type.Integer({ description: 'largest file accepted, in bytes' })
/** Human names of the accepted formats, e.g. ["JPEG", "PNG", "WebP"]. */
const formats = Type.Array(Type.String())
/** The MIME types a file picker may offer (the server still checks the bytes). */
const accept = Type.Array(Type.String())

export const MediaLimits = Type.Object({
  image: Type.Object({
    maxBytes,
    formats,
    accept,
    /** Width × height above this is refused before decoding (an image bomb). */
    maxPixels: Type.Integer(),
    /** Stored images are at most this many pixels on their long side. */
    maxSide: Type.Integer(),
  }),
  audio: Type.Object({ maxBytes, formats, accept }),
})
export type MediaLimits = Static<typeof MediaLimits>
