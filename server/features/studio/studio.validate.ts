/**
 * The content rules for studio drafts: the same rules and messages content:import applies to
 * files (content.parse.ts RULES), reported per form field instead of per file line.
 */
import type { Kysely } from 'kysely'
import type { CourseDraft, Draft, PocketEntryDraft, Problem, QuestionBankDraft, QuizDraft } from '../../../src/protocol/studio.ts'
import type { Database, QuestionTable } from '../../db/database.ts'
import { COURSE_CATEGORIES, COURSE_KINDS, RULES } from '../content/content.parse.ts'
import { questionProblems, quizProblems, type QuizLookup } from '../content/quiz.rules.ts'
import { findLecturer } from '../lecturers/lecturers.repository.ts'

/** What the rules look up in the database, read once per check. */
export interface RuleContext {
  pocketCategories: Set<string>
  /** The unit's path: a lecturer from this unit, one above or one below may teach its course. */
  unitPath: string
  lecturerPath: string | null | undefined
  /** Studio video uploads the draft's lessons name that exist (video_job ids). */
  videos: Set<string>
  /** A bank's question sources: lessons and entries the unit's members have. */
  sources: Map<string, QuestionTable['source_kind']>
  /** A quiz's questions: those of banks published at the unit or above. */
  quiz?: QuizLookup
  /** Specialty categories of the unit and the units above it, id → title. */
  courseCategories: Map<string, string>
}

/** The specialty categories a course of the unit may pick: its own and its ancestors' (course_category_unit_idx). */
export async function unitCategories(db: Kysely<Database>, unitPath: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('course_category').select(['id', 'title']).where('org_unit_id', 'in', unitPath.split('/').filter(Boolean)).orderBy('title').execute()
  return new Map(rows.map((r) => [r.id, r.title]))
}

/** Content the members of a unit have: rows scoped to the unit or a unit above it. */
const visibleAt = (unitPath: string, rowPath: string) => unitPath.startsWith(rowPath)

/** Which of `ids` are lessons or pocket entries the unit's members have (two indexed lookups by id). */
export async function sourceKinds(db: Kysely<Database>, unitPath: string, ids: string[]): Promise<Map<string, QuestionTable['source_kind']>> {
  const wanted = [...new Set(ids.map((i) => i.trim()).filter(Boolean))]
  const out = new Map<string, QuestionTable['source_kind']>()
  if (wanted.length === 0) return out
  for (const [table, kind] of [['lesson', 'lesson'], ['pocket_entry', 'entry']] as const) {
    const rows = await db
      .selectFrom(table)
      .innerJoin('org_unit', 'org_unit.id', `${table}.org_unit_id`)
      .select([`${table}.id as id`, 'org_unit.path'])
      .where(`${table}.id`, 'in', wanted)
      .where(`${table}.deleted_at`, 'is', null)
      .execute()
    for (const r of rows) if (visibleAt(unitPath, r.path)) out.set(r.id, kind)
  }
  return out
}

/** The published questions a quiz of the unit may ask (by id, or a bank's by question_bank_idx), for quiz.rules.ts. */
export async function quizLookup(db: Kysely<Database>, unitPath: string, selection: QuizDraft['questions']): Promise<QuizLookup & { hashOf(id: string): string }> {
  const fixed = 'fixed' in selection ? selection.fixed : undefined
  const bank = 'draw' in selection ? selection.draw.bank : undefined
  const rows =
    (fixed && fixed.length === 0) || (!fixed && !bank)
      ? []
      : await db
          .selectFrom('question')
          .innerJoin('org_unit', 'org_unit.id', 'question.org_unit_id')
          .select(['question.id', 'question.bank_id', 'question.type', 'question.options', 'question.answer', 'question.tags', 'question.exam_only', 'question.content_hash', 'org_unit.path'])
          .where('question.deleted_at', 'is', null)
          .$if(!!fixed, (q) => q.where('question.id', 'in', fixed!))
          .$if(!fixed, (q) => q.where('question.bank_id', '=', bank!))
          .orderBy('question.id')
          .execute()
  const visible = new Map(rows.filter((r) => visibleAt(unitPath, r.path)).map((r) => [r.id, r]))
  return {
    question: (id) => {
      const r = visible.get(id)
      return r && { id: r.id, tags: JSON.parse(r.tags) as string[], examOnly: r.exam_only === 1, scorable: { id: r.id, type: r.type, options: JSON.parse(r.options), answer: JSON.parse(r.answer) } }
    },
    bank: (b) => {
      const ids = [...visible.values()].filter((r) => r.bank_id === b).map((r) => r.id)
      return ids.length ? ids : undefined
    },
    where: 'any bank of this unit or above',
    hashOf: (id) => visible.get(id)!.content_hash,
  }
}

export async function ruleContext(db: Kysely<Database>, unitPath: string, draft: Draft): Promise<RuleContext> {
  const categories = draft.type === 'pocket_entry' ? await db.selectFrom('pocket_category').select('id').where('deleted_at', 'is', null).execute() : []
  const lecturer = draft.type === 'course' && draft.lecturerId ? await findLecturer(db, draft.lecturerId) : undefined
  const videoIds = draft.type === 'course' ? draft.lessons.flatMap((l) => (l.video ? [l.video] : [])) : []
  const videos = videoIds.length ? await db.selectFrom('video_job').select('id').where('id', 'in', videoIds).execute() : []
  return {
    videos: new Set(videos.map((v) => v.id)),
    pocketCategories: new Set(categories.map((c) => c.id)),
    unitPath,
    lecturerPath: lecturer && lecturer.retired_at === null ? lecturer.path : draft.type === 'course' && draft.lecturerId ? null : undefined,
    sources: draft.type === 'question_bank' ? await sourceKinds(db, unitPath, draft.questions.map((q) => q.source)) : new Map(),
    quiz: draft.type === 'quiz' ? await quizLookup(db, unitPath, draft.questions) : undefined,
    courseCategories: draft.type === 'course' ? await unitCategories(db, unitPath) : new Map(),
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
  // The six themes of content:import, or one of the unit's own specialty categories.
  if (!(COURSE_CATEGORIES as readonly string[]).includes(d.category) && !ctx.courseCategories.has(d.category)) {
    out.push({ field: 'category', message: RULES.oneOf('category', [...COURSE_CATEGORIES, ...[...ctx.courseCategories.values()].map((t) => `“${t}”`)], d.category) })
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

/** The question rules of content:import (quiz.rules.ts), per question of the bank. */
function bankProblems(d: QuestionBankDraft, ctx: RuleContext): Problem[] {
  const out: Problem[] = []
  if (d.title.trim() === '') out.push({ field: 'title', message: '"title" is required text' })
  if (d.questions.length === 0) out.push({ field: 'questions', message: '"questions" must be a non-empty list' })
  d.questions.forEach((q, i) => {
    const { problems } = questionProblems(q, (id) => ctx.sources.get(id))
    for (const p of problems) out.push({ field: `questions.${i}.${p.field}`, message: p.message })
  })
  return out
}

function quizDraftProblems(d: QuizDraft, ctx: RuleContext): Problem[] {
  return quizProblems({ title: d.title, description: d.description, selection: d.questions, timeLimitMinutes: d.timeLimitMinutes, passMark: d.passMark, shuffleOptions: d.shuffleOptions }, ctx.quiz!).problems
}

/** Every rule the draft breaks now, in form order; empty when it may be submitted. */
export function draftProblems(draft: Draft, ctx: RuleContext): Problem[] {
  switch (draft.type) {
    case 'course':
      return courseProblems(draft, ctx)
    case 'pocket_entry':
      return entryProblems(draft, ctx)
    case 'question_bank':
      return bankProblems(draft, ctx)
    case 'quiz':
      return quizDraftProblems(draft, ctx)
  }
}
