/**
 * Studio packages (docs/studio.md "Packages"): a course or a pocket-book category with its media
 * as one zip in the layout of content/, exported from one unit or deployment and imported into
 * another as drafts.
 */
import { Type, type Static } from 'typebox'
import { ORG_UNIT_ID } from './media.ts'

export const PackageExportQuery = Type.Object(
  {
    /** The unit the editor works for: the course must be on its line (its own, above or below it). */
    orgUnitId: Type.String({ pattern: ORG_UNIT_ID.source }),
    /** A quiz travels with the banks it asks from (docs/studio.md "Packages"). */
    kind: Type.Union([Type.Literal('course'), Type.Literal('pocket_category'), Type.Literal('question_bank'), Type.Literal('quiz')]),
    /** The course, category, bank or quiz id, as phones know it. */
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
  },
  { additionalProperties: false },
)
export type PackageExportQuery = Static<typeof PackageExportQuery>
export type PackageKind = PackageExportQuery['kind']

export const PackageImportQuery = Type.Object({ orgUnitId: Type.String({ pattern: ORG_UNIT_ID.source }) }, { additionalProperties: false })
export type PackageImportQuery = Static<typeof PackageImportQuery>

export const PackageImportResult = Type.Object({
  courses: Type.Integer(),
  entries: Type.Integer(),
  /** Question banks and quizzes (drafts too; a quiz's draft names its banks' new ids). */
  banks: Type.Integer(),
  quizzes: Type.Integer(),
  /** Pocket-book categories the deployment did not have, added with the package. */
  categoriesAdded: Type.Array(Type.String()),
  /** Images and recordings stored (after the upload checks). */
  media: Type.Integer(),
  /** The new drafts (the first hundred), to open in the studio. */
  itemIds: Type.Array(Type.String()),
  /** What was imported but not kept as it was, `file: why`. */
  warnings: Type.Array(Type.String()),
})
export type PackageImportResult = Static<typeof PackageImportResult>

/** The largest package accepted (the upload shows it before reading the file). */
export const PACKAGE_MAX_BYTES = 200 * 1024 * 1024
