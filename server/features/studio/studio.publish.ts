/**
 * What a studio publish does to the tables phones pull: the course (and its lessons) or pocket
 * entry is written under its fixed content id, scoped to the item's unit, with a new sync
 * version, so the next pull brings it to every member below the unit; lessons dropped from the
 * course and an unpublished item become tombstones, which the pull turns into deletions.
 */
import { createHash } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { CourseDraft, Draft, PocketEntryDraft, QuestionBankDraft, QuizDraft } from '../../../src/protocol/studio.ts'
import type { Database, QuizTable } from '../../db/database.ts'
import { nextVersion } from '../../db/version.ts'
import { ApiError } from '../../shared/errors.ts'
import { findVideoJob, processedVideo } from '../video/videoJob.repository.ts'
import { quizProblems } from '../content/quiz.rules.ts'
import { quizLookup, sourceKinds } from './studio.validate.ts'

/** Sizes of uploaded media (the media store), so "download for offline" shows the real size. */
export type MediaSize = (url: string) => Promise<number>

const hashOf = (row: object) => createHash('sha256').update(JSON.stringify(row)).digest('hex')

/** Studio courses sort after the imported ones (whose order is 1…n) until a unit orders its own. */
const STUDIO_SORT_ORDER = 1000

interface Target {
  contentId: string
  orgUnitId: string
  /** The unit's path: what a quiz may ask is what the unit's members have. */
  unitPath: string
  now: number
}

type PublishedTable = 'course' | 'lesson' | 'pocket_entry' | 'question' | 'quiz'

/**
 * Inserts the row or replaces it when its content changed (or it was a tombstone); else leaves
 * its version alone. Answers the row's version now.
 */
async function upsert(trx: Transaction<Database>, table: PublishedTable, row: { id: string } & Record<string, unknown>, t: Pick<Target, 'orgUnitId' | 'now'>, content_hash = hashOf(row)): Promise<number> {
  const old = await trx.selectFrom(table as 'course').select(['content_hash', 'deleted_at', 'version']).where('id', '=', row.id).executeTakeFirst()
  if (old && old.content_hash === content_hash && old.deleted_at === null) return Number(old.version)
  const version = await nextVersion(trx)
  const values = { ...row, content_hash, org_unit_id: t.orgUnitId, version, published_at: t.now, deleted_at: null }
  if (old) await trx.updateTable(table as 'course').set(values as never).where('id', '=', row.id).execute()
  else await trx.insertInto(table as 'course').values(values as never).execute()
  return version
}

async function tombstone(trx: Transaction<Database>, table: PublishedTable, ids: string[], now: number) {
  for (const id of ids) {
    await trx.updateTable(table).set({ deleted_at: now, version: await nextVersion(trx) }).where('id', '=', id).where('deleted_at', 'is', null).execute()
  }
}

/** /media/ URLs a course's phone download stores: cover, lesson audio, images in the lessons. */
function mediaUrls(d: CourseDraft): string[] {
  const urls = new Set<string>()
  if (d.cover) urls.add(d.cover)
  for (const l of d.lessons) {
    if (l.audio) urls.add(l.audio)
    for (const m of l.body.matchAll(/\]\((\/media\/[^)\s]+)\)/g)) urls.add(m[1]!)
  }
  return [...urls]
}

/**
 * The lesson row's video as content:import writes it: the video as processed so far, and
 * `video_source` (the original's sha256), by which a job finishing later adds its renditions.
 */
async function lessonVideo(trx: Transaction<Database>, uploadId: string | null | undefined, i: number) {
  // No video_source key on a text lesson: its row (and content hash) stays as before video lessons.
  if (!uploadId) return { video: null }
  const job = await findVideoJob(trx, uploadId)
  if (!job) throw new ApiError(400, 'DRAFT_INVALID', '"video" is not a video uploaded through the studio', `draft.lessons.${i}.video`)
  return { video: JSON.stringify(processedVideo(job)), video_source: job.source_sha256 }
}

async function publishCourse(trx: Transaction<Database>, d: CourseDraft, t: Target, sizeOf: MediaSize): Promise<void> {
  const media = await Promise.all(mediaUrls(d).map(async (url) => ({ url, bytes: await sizeOf(url) })))
  const specialty = await trx.selectFrom('course_category').select('title').where('id', '=', d.category).executeTakeFirst()
  const course = {
    id: t.contentId,
    title: d.title,
    kind: d.kind,
    category: d.category,
    category_title: specialty?.title ?? null,
    lecturer_id: d.lecturerId,
    description: d.description,
    cover: d.cover,
    sort_order: STUDIO_SORT_ORDER,
    body: '',
    media: JSON.stringify(media),
  }
  await upsert(trx, 'course', course, t)
  const kept = new Set<string>()
  for (const [i, l] of d.lessons.entries()) {
    kept.add(l.id!)
    const video = await lessonVideo(trx, l.video, i)
    await upsert(trx, 'lesson', { id: l.id!, course_id: t.contentId, title: l.title, sort_order: i + 1, minutes: l.minutes, audio: l.audio, body: l.body, ...video }, t)
  }
  const live = await trx.selectFrom('lesson').select('id').where('course_id', '=', t.contentId).where('deleted_at', 'is', null).execute()
  await tombstone(trx, 'lesson', live.map((l) => l.id).filter((id) => !kept.has(id)), t.now)
}

async function publishEntry(trx: Transaction<Database>, d: PocketEntryDraft, t: Target): Promise<void> {
  await upsert(trx, 'pocket_entry', { id: t.contentId, category: d.category, title: d.title, tags: JSON.stringify(d.tags), body: d.body }, t)
}

type QuizFields = Pick<QuizTable, 'id' | 'title' | 'description' | 'selection' | 'time_limit_minutes' | 'pass_mark' | 'shuffle_options'>

/**
 * Writes a quiz row and a snapshot of what its version may ask (answers included), as the file
 * import does: its hash covers its questions, so a changed question gives it a new version and
 * an attempt made on the old one is still scored against the old answers. The rules are checked
 * again here against the questions phones will have; a quiz they break refuses the publish.
 */
async function publishQuizRow(trx: Transaction<Database>, quiz: QuizFields, t: Omit<Target, 'contentId'>): Promise<void> {
  const selection = JSON.parse(quiz.selection) as QuizDraft['questions']
  const lookup = await quizLookup(trx, t.unitPath, selection)
  const { problems, checked } = quizProblems(
    { title: quiz.title, description: quiz.description, selection, timeLimitMinutes: quiz.time_limit_minutes, passMark: quiz.pass_mark, shuffleOptions: quiz.shuffle_options === 1 },
    lookup,
  )
  if (!checked) throw new ApiError(409, 'QUIZ_BROKEN', `quiz "${quiz.title}": ${problems[0]!.message}`, `draft.${problems[0]!.field}`)
  const row = { ...quiz, exam_only: checked.examOnly ? 1 : 0 }
  const version = await upsert(trx, 'quiz', row, t, hashOf([row, checked.candidates.map((q) => lookup.hashOf(q.id))]))
  await trx
    .insertInto('quiz_snapshot')
    .values({ quiz_id: quiz.id, version, selection: quiz.selection, pass_mark: quiz.pass_mark, questions: JSON.stringify(checked.candidates.map((q) => q.scorable)) })
    .onConflict((oc) => oc.columns(['quiz_id', 'version']).doNothing())
    .execute()
}

async function publishQuiz(trx: Transaction<Database>, d: QuizDraft, t: Target): Promise<void> {
  const fields = {
    id: t.contentId,
    title: d.title,
    description: d.description,
    selection: JSON.stringify('draw' in d.questions ? d.questions : { fixed: d.questions.fixed }),
    time_limit_minutes: d.timeLimitMinutes,
    pass_mark: d.passMark,
    shuffle_options: d.shuffleOptions ? 1 : 0,
  }
  await publishQuizRow(trx, fields, t)
}

/**
 * Quizzes asking a bank's questions follow every change of the bank: new version and snapshot,
 * or a refused publish (409 QUIZ_BROKEN) when one would lose questions it needs. Studio question
 * ids are unique strings, so a text match on the selection finds them; the quiz table is small
 * (tens to hundreds of rows), and this runs on a publish, never on a member's request.
 */
async function refreshQuizzesOf(trx: Transaction<Database>, bankId: string, questionIds: string[], now: number): Promise<void> {
  const ids = [bankId, ...questionIds]
  const quizzes = await trx
    .selectFrom('quiz')
    .innerJoin('org_unit', 'org_unit.id', 'quiz.org_unit_id')
    .select(['quiz.id', 'quiz.title', 'quiz.description', 'quiz.selection', 'quiz.time_limit_minutes', 'quiz.pass_mark', 'quiz.shuffle_options', 'quiz.org_unit_id', 'org_unit.path'])
    .where('quiz.deleted_at', 'is', null)
    .where((eb) => eb.or(ids.map((id) => eb('quiz.selection', 'like', `%"${id}"%`))))
    .execute()
  for (const { org_unit_id, path, ...quiz } of quizzes) await publishQuizRow(trx, quiz, { orgUnitId: org_unit_id, unitPath: path, now })
}

async function publishBank(trx: Transaction<Database>, d: QuestionBankDraft, t: Target): Promise<void> {
  const kinds = await sourceKinds(trx, t.unitPath, d.questions.map((q) => q.source))
  const kept = new Set<string>()
  for (const q of d.questions) {
    kept.add(q.id!)
    const choice = q.type === 'single' || q.type === 'multiple'
    const answer = q.type === 'multiple' ? [...q.answer].sort() : q.answer.map((a) => a.trim())
    await upsert(
      trx,
      'question',
      {
        id: q.id!,
        bank_id: t.contentId,
        type: q.type,
        stem: q.stem.trim(),
        options: JSON.stringify(choice ? q.options.map((o) => o.trim()) : []),
        answer: JSON.stringify(answer),
        explanation: q.explanation.trim(),
        source_kind: kinds.get(q.source.trim())!,
        source_id: q.source.trim(),
        tags: JSON.stringify(q.tags),
        exam_only: d.exam ? 1 : 0,
      },
      t,
    )
  }
  const live = await trx.selectFrom('question').select('id').where('bank_id', '=', t.contentId).where('deleted_at', 'is', null).execute()
  const dropped = live.map((q) => q.id).filter((id) => !kept.has(id))
  await tombstone(trx, 'question', dropped, t.now)
  await refreshQuizzesOf(trx, t.contentId, [...kept, ...dropped], t.now)
}

/** Makes `body` what phones have for this item; call inside the approving transaction. */
export async function publishBody(trx: Transaction<Database>, body: Draft, t: Target, sizeOf: MediaSize): Promise<void> {
  if (body.type === 'course') await publishCourse(trx, body, t, sizeOf)
  else if (body.type === 'pocket_entry') await publishEntry(trx, body, t)
  else if (body.type === 'question_bank') await publishBank(trx, body, t)
  else await publishQuiz(trx, body, t)
}

/** Takes the item off phones: tombstones for it (and a course's lessons), applied on the next pull. */
export async function unpublishContent(trx: Transaction<Database>, kind: Draft['type'], contentId: string, now: number): Promise<void> {
  if (kind === 'pocket_entry' || kind === 'quiz') return tombstone(trx, kind, [contentId], now)
  if (kind === 'question_bank') {
    const live = await trx.selectFrom('question').select('id').where('bank_id', '=', contentId).where('deleted_at', 'is', null).execute()
    await tombstone(trx, 'question', live.map((q) => q.id), now)
    // A quiz still asking them refuses the unpublish (409 QUIZ_BROKEN): unpublish the quiz first.
    return refreshQuizzesOf(trx, contentId, live.map((q) => q.id), now)
  }
  const lessons = await trx.selectFrom('lesson').select('id').where('course_id', '=', contentId).where('deleted_at', 'is', null).execute()
  await tombstone(trx, 'lesson', lessons.map((l) => l.id), now)
  await tombstone(trx, 'course', [contentId], now)
}
