/**
 * The content rules for studio drafts: the same rules and messages content:import applies to
 * files (content.parse.ts RULES), reported per form field instead of per file line.
 */
import type { Kysely } from 'kysely'
import type { CourseDraft, Draft, PocketEntryDraft, Problem } from '../../../src/protocol/studio.ts'
import type { Database } from '../../db/database.ts'
import { COURSE_CATEGORIES, COURSE_KINDS, RULES } from '../content/content.parse.ts'
import { findLecturer } from '../lecturers/lecturers.repository.ts'

/** What the rules look up in the database, read once per check. */
export interface RuleContext {
  pocketCategories: Set<string>
  /** The unit's path: a lecturer from this unit, one above or one below may teach its course. */
  unitPath: string
  lecturerPath: string | null | undefined
  /** Studio video uploads the draft's lessons name that exist (video_job ids). */
  videos: Set<string>
}

export async function ruleContext(db: Kysely<Database>, unitPath: string, draft: Draft): Promise<RuleContext> {
  const categories = await db.selectFrom('pocket_category').select('id').where('deleted_at', 'is', null).execute()
  const lecturer = draft.type === 'course' && draft.lecturerId ? await findLecturer(db, draft.lecturerId) : undefined
  const videoIds = draft.type === 'course' ? draft.lessons.flatMap((l) => (l.video ? [l.video] : [])) : []
  const videos = videoIds.length ? await db.selectFrom('video_job').select('id').where('id', 'in', videoIds).execute() : []
  return {
    videos: new Set(videos.map((v) => v.id)),
    pocketCategories: new Set(categories.map((c) => c.id)),
    unitPath,
    lecturerPath: lecturer && lecturer.retired_at === null ? lecturer.path : draft.type === 'course' && draft.lecturerId ? null : undefined,
  }
}

/** Uploaded or imported media only: phones cache /media/ and the page's CSP allows nothing else. */
const MEDIA_URL = /^\/media\/[^\s]+$/

function courseProblems(d: CourseDraft, ctx: RuleContext): Problem[] {
  const out: Problem[] = []
  const need = (field: string, value: string) => value.trim() === '' && out.push({ field, message: RULES.required(field) })
  need('title', d.title)
  need('description', d.description)
  if (!(COURSE_KINDS as readonly string[]).includes(d.kind)) out.push({ field: 'kind', message: RULES.oneOf('kind', COURSE_KINDS, d.kind) })
  if (!(COURSE_CATEGORIES as readonly string[]).includes(d.category)) {
    out.push({ field: 'category', message: RULES.oneOf('category', COURSE_CATEGORIES, d.category) })
  }
  if (d.cover !== null && !MEDIA_URL.test(d.cover)) out.push({ field: 'cover', message: `"cover" must be an uploaded image (/media/…), got ${JSON.stringify(d.cover)}` })
  if (ctx.lecturerPath === null) out.push({ field: 'lecturerId', message: '"lecturerId" is not an active lecturer of the pool' })
  else if (ctx.lecturerPath && !ctx.lecturerPath.startsWith(ctx.unitPath) && !ctx.unitPath.startsWith(ctx.lecturerPath)) {
    out.push({ field: 'lecturerId', message: '"lecturerId" belongs to another unit’s lecturer pool' })
  }
  if (d.lessons.length === 0) out.push({ field: 'lessons', message: 'a course needs at least one lesson' })
  d.lessons.forEach((l, i) => {
    need(`lessons.${i}.title`, l.title)
    if (l.minutes < RULES.lessonMinutesMin) out.push({ field: `lessons.${i}.minutes`, message: RULES.wholeNumber('minutes', RULES.lessonMinutesMin, l.minutes) })
    // A video lesson's notes may be empty, as in an imported one.
    if (!l.video && l.body.trim() === '') out.push({ field: `lessons.${i}.body`, message: RULES.lessonNoText })
    if (l.video && !ctx.videos.has(l.video)) out.push({ field: `lessons.${i}.video`, message: '"video" is not a video uploaded through the studio' })
    if (l.audio !== null && !MEDIA_URL.test(l.audio)) out.push({ field: `lessons.${i}.audio`, message: `"audio" must be an uploaded file (/media/…), got ${JSON.stringify(l.audio)}` })
  })
  return out
}

function entryProblems(d: PocketEntryDraft, ctx: RuleContext): Problem[] {
  const out: Problem[] = []
  if (d.title.trim() === '') out.push({ field: 'title', message: RULES.required('title') })
  if (d.category === '') out.push({ field: 'category', message: RULES.required('category') })
  else if (!ctx.pocketCategories.has(d.category)) out.push({ field: 'category', message: RULES.unknownPocketCategory(d.category) })
  if (d.body.trim() === '') out.push({ field: 'body', message: RULES.entryNoText })
  return out
}

/** Every rule the draft breaks now, in form order; empty when it may be submitted. */
export function draftProblems(draft: Draft, ctx: RuleContext): Problem[] {
  return draft.type === 'course' ? courseProblems(draft, ctx) : entryProblems(draft, ctx)
}
