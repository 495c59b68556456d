/**
 * Import: a package (zip in the layout of content/) becomes studio drafts of the importing unit:
 * courses, pocket entries, question banks and quizzes.
 * The files are checked by content:import's own parser (content.parse.ts), so a package gets the
 * same rules and the same `file:line: what is wrong` messages; its media pass the upload checks
 * (type from the bytes, images re-encoded; a video probed as a studio upload is). Only when all of
 * it is clean is anything written: media into the store, then every draft, and a processing job
 * per video as a finished studio upload queues, in one transaction. Publishing still goes through review.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Kysely } from 'kysely'
import type { QuizSelection } from '../../../../src/protocol/quiz.ts'
import type { Draft, QuizDraft } from '../../../../src/protocol/studio.ts'
import type { PackageImportResult } from '../../../../src/protocol/studioPackage.ts'
import type { Database } from '../../../db/database.ts'
import { nextVersion } from '../../../db/version.ts'
import { writeAudit, type AuditActor } from '../../../shared/audit.ts'
import { ApiError } from '../../../shared/errors.ts'
import { ContentError, parseContent, type ParsedContent } from '../../content/content.parse.ts'
import { reencodeImage } from '../../media/image.ts'
import { MEDIA_LIMITS } from '../../media/limits.ts'
import type { MediaStore } from '../../media/mediaStore.ts'
import { refusalReason, sniffMediaType } from '../../media/mediaType.ts'
import { queueVideoJob, type NewVideoJob } from '../../video/videoJob.repository.ts'
import { newContentId, newDraftRow } from '../studio.repository.ts'
import { sourceKinds } from '../studio.validate.ts'
import { PACKAGE_LIMITS, readZip, type PackageFiles } from './zip.ts'

/** What may be in a package, and how large once inflated. */
export function sizeLimitOf(path: string): number | string {
  if (/^(courses|pocket)\/.+\.(md|ya?ml)$/.test(path) || /^quizzes\/(banks\/)?[^/]+\.ya?ml$/.test(path)) return PACKAGE_LIMITS.maxTextBytes
  if (/^media\/.+\.(jpe?g|png|webp)$/i.test(path)) return MEDIA_LIMITS.image.maxBytes
  if (/^media\/.+\.(mp3|m4a|aac|ogg|opus)$/i.test(path)) return MEDIA_LIMITS.audio.maxBytes
  // A lesson's video: no larger than the package that carries it (the probe checks the rest).
  if (/^media\/.+\.mp4$/i.test(path)) return PACKAGE_LIMITS.maxBytes
  return 'not part of a package: courses/…/*.md, pocket/categories.yaml, pocket/…/*.md, quizzes/*.yaml, quizzes/banks/*.yaml, and images (JPEG, PNG, WebP), recordings (MP3, M4A, AAC, Ogg) or lesson videos (MP4) under media/'
}

const invalid = (what: string) => new ApiError(400, 'PACKAGE_INVALID', what, 'body')

/** content.parse.ts reads a folder: the checked files go into a private temporary one. */
async function parsePackage(files: PackageFiles, citable: ReadonlySet<string>): Promise<ParsedContent> {
  const dir = await mkdtemp(join(tmpdir(), 'studio-package-'))
  try {
    for (const [path, bytes] of files) {
      // readZip let no "..", absolute path or backslash through: every path stays inside `dir`.
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), bytes)
    }
    return parseContent(dir, citable)
  } catch (err) {
    if (err instanceof ContentError) throw invalid(err.message)
    throw err
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Line of `key:` in a file's front matter, for the few rules only the studio has (lengths). */
function lineOf(files: PackageFiles, path: string, key: string): number {
  const lines = new TextDecoder().decode(files.get(path)).split('\n')
  const i = lines.findIndex((l) => l.startsWith(`${key}:`))
  return i < 0 ? 1 : i + 1
}

/** Line of `key:` in the question with id `questionId` of a bank file (the lines after its `- id:`). */
function questionLine(files: PackageFiles, path: string, questionId: string, key: string): number {
  const lines = new TextDecoder().decode(files.get(path)).split('\n')
  const start = Math.max(0, lines.findIndex((l) => new RegExp(`^\\s*(- )?id:\\s*["']?${questionId}["']?\\s*$`).test(l)))
  const i = lines.findIndex((l, n) => n >= start && new RegExp(`^\\s*(- )?${key}:`).test(l))
  return i < 0 ? start + 1 : i + 1
}

/** Which file each parsed row came from (parseContent keeps ids, the messages need files). */
function fileIndex(files: PackageFiles): Map<string, string> {
  const index = new Map<string, string>()
  for (const [path, bytes] of files) {
    const quiz = path.startsWith('quizzes/')
    if (!path.endsWith('.md') && !quiz) continue
    const id = /^id:\s*["']?([a-z0-9-]+)/m.exec(new TextDecoder().decode(bytes.subarray(0, 2000)))?.[1]
    const kind = quiz ? (path.startsWith('quizzes/banks/') ? 'bank' : 'quiz') : path.startsWith('pocket/') ? 'entry' : path.endsWith('/course.md') ? 'course' : 'lesson'
    if (id) index.set(`${kind}:${id}`, path)
  }
  return index
}

/**
 * Every `source:` of the bank files, with its line: the parser is told they may be cited (the
 * import checks them against the package and the importing unit), and the warnings name them.
 */
function sourceLines(files: PackageFiles): { file: string; line: number; source: string }[] {
  const out: { file: string; line: number; source: string }[] = []
  for (const [file, bytes] of files) {
    if (!file.startsWith('quizzes/banks/')) continue
    new TextDecoder().decode(bytes).split('\n').forEach((l, i) => {
      const value = /^\s*(?:-\s+)?source:\s*(.*)$/.exec(l)?.[1]?.replace(/\s+#.*$/, '').trim().replace(/^["']|["']$/g, '')
      if (value) out.push({ file, line: i + 1, source: value })
    })
  }
  return out
}

/** The studio's own limits (src/protocol/studio.ts), which files do not have. */
function checkStudioLimits(parsed: ParsedContent, files: PackageFiles): void {
  const where = fileIndex(files)
  const over = (kind: string, id: string, key: string, value: string, max: number) => {
    if (value.length <= max) return
    const file = where.get(`${kind}:${id}`)!
    throw invalid(`${file}:${lineOf(files, file, key)}: "${key}" is longer than the studio's ${max} characters`)
  }
  for (const c of parsed.courses) {
    over('course', c.id, 'title', c.title, 200)
    over('course', c.id, 'description', c.description, 2000)
    if (parsed.lessons.filter((l) => l.course_id === c.id).length === 0) throw invalid(`${where.get(`course:${c.id}`)}:1: a course needs at least one lesson`)
  }
  for (const l of parsed.lessons) {
    over('lesson', l.id, 'title', l.title, 200)
    over('lesson', l.id, 'body', l.body, 100_000)
    if (l.minutes > 600) throw invalid(`${where.get(`lesson:${l.id}`)}:${lineOf(files, where.get(`lesson:${l.id}`)!, 'minutes')}: "minutes" must be at most 600`)
  }
  for (const e of parsed.entries) {
    over('entry', e.id, 'title', e.title, 200)
    over('entry', e.id, 'body', e.body, 20_000)
    const tags = JSON.parse(e.tags) as string[]
    if (tags.length > 20 || tags.some((t) => t.length > 30)) {
      const file = where.get(`entry:${e.id}`)!
      throw invalid(`${file}:${lineOf(files, file, 'tags')}: "tags" may be up to 20, each up to 30 characters`)
    }
  }
  for (const b of parsed.banks) {
    const file = where.get(`bank:${b.id}`)!
    const questions = parsed.questions.filter((q) => q.bank_id === b.id)
    over('bank', b.id, 'title', b.title, 200)
    if (questions.length > 500) throw invalid(`${file}:${lineOf(files, file, 'questions')}: a studio bank holds up to 500 questions`)
    for (const q of questions) {
      const at = (key: string) => `${file}:${questionLine(files, file, q.id, key)}`
      for (const [key, max] of [['stem', 1000], ['explanation', 2000]] as const) if (q[key].length > max) throw invalid(`${at(key)}: "${key}" is longer than the studio's ${max} characters`)
      for (const [key, max, each] of [['options', 26, 300], ['answer', 26, 200], ['tags', 20, 30]] as const) {
        const list = JSON.parse(q[key]) as string[]
        if (list.length > max || list.some((x) => x.length > each)) throw invalid(`${at(key)}: "${key}" may be up to ${max}, each up to ${each} characters`)
      }
    }
  }
  for (const z of parsed.quizzes) {
    over('quiz', z.id, 'title', z.title, 200)
    over('quiz', z.id, 'description', z.description, 2000)
    const file = where.get(`quiz:${z.id}`)!
    const selection = JSON.parse(z.selection) as QuizSelection
    if ('fixed' in selection && selection.fixed.length > 200) throw invalid(`${file}:${lineOf(files, file, 'questions')}: a studio quiz asks up to 200 fixed questions`)
    if ((z.time_limit_minutes ?? 0) > 600) throw invalid(`${file}:${lineOf(files, file, 'timeLimitMinutes')}: "timeLimitMinutes" must be at most 600`)
  }
}

/** A package's media file, checked and (images) re-encoded as an upload would be; nothing stored yet. */
async function checkMedia(path: string, bytes: Uint8Array, usedIn: string): Promise<{ bytes: Uint8Array; ext: string }> {
  const type = sniffMediaType(bytes)
  if (!type) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `${usedIn}: ${path}: ${refusalReason(bytes)}`, 'body')
  if (type.kind === 'audio') return { bytes, ext: type.ext }
  try {
    return { bytes: (await reencodeImage(bytes, type.ext)).bytes, ext: type.ext }
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.statusCode, err.code, `${usedIn}: ${path}: ${err.message}`, 'body')
    throw err
  }
}

/** `/media/…?v=` URLs the parser made (from package paths) and where each is first used. */
function mediaUses(parsed: ParsedContent, files: PackageFiles): Map<string, string> {
  const where = fileIndex(files)
  const uses = new Map<string, string>()
  const add = (url: string | null, file: string) => url && !uses.has(url) && uses.set(url, file)
  const links = (body: string, file: string) => [...body.matchAll(/\]\((\/media\/[^)\s]+)\)/g)].forEach((m) => add(m[1]!, file))
  for (const c of parsed.courses) add(c.cover, where.get(`course:${c.id}`)!)
  for (const l of parsed.lessons) {
    add(l.audio, where.get(`lesson:${l.id}`)!)
    links(l.body, where.get(`lesson:${l.id}`)!)
  }
  for (const e of parsed.entries) links(e.body, where.get(`entry:${e.id}`)!)
  return uses
}

const replaceUrls = (text: string, urls: Map<string, string>) => text.replace(/\]\((\/media\/[^)\s]+)\)/g, (m, url: string) => (urls.has(url) ? `](${urls.get(url)})` : m))

/** A draft to write, under the content id it will be published with. */
interface NewDraft {
  draft: Draft
  contentId: string
}

/**
 * The drafts, with new ids throughout: a question citing a lesson or entry of the package cites
 * its new id, one citing the unit's own keeps it, any other source is left empty (reported as a
 * warning); a quiz names its banks' and questions' new ids.
 */
function drafts(parsed: ParsedContent, urls: Map<string, string>, unitSources: ReadonlyMap<string, unknown>, videoJobs: ReadonlyMap<string, string>): NewDraft[] {
  const newIds = (ids: string[]) => new Map(ids.map((id) => [id, newContentId()]))
  const lessonIds = newIds(parsed.lessons.map((l) => l.id))
  const entryIds = newIds(parsed.entries.map((e) => e.id))
  const bankIds = newIds(parsed.banks.map((b) => b.id))
  const questionIds = newIds(parsed.questions.map((q) => q.id))
  const source = (id: string) => lessonIds.get(id) ?? entryIds.get(id) ?? (unitSources.has(id) ? id : '')
  const courses: NewDraft[] = parsed.courses.map((c) => ({
    contentId: newContentId(),
    draft: {
      type: 'course',
      title: c.title,
      kind: c.kind,
      category: c.category,
      description: c.description,
      cover: c.cover ? urls.get(c.cover)! : null,
      lecturerId: null,
      lessons: parsed.lessons
        .filter((l) => l.course_id === c.id)
        .sort((a, b) => a.sort_order - b.sort_order)
        .map((l) => ({ id: lessonIds.get(l.id)!, title: l.title, minutes: l.minutes, body: replaceUrls(l.body, urls), audio: l.audio ? urls.get(l.audio)! : null, video: l.video_source ? videoJobs.get(l.video_source)! : null })),
    },
  }))
  const entries: NewDraft[] = parsed.entries.map((e) => ({
    contentId: entryIds.get(e.id)!,
    draft: { type: 'pocket_entry', title: e.title, category: e.category, tags: JSON.parse(e.tags) as string[], body: replaceUrls(e.body, urls) },
  }))
  const banks: NewDraft[] = parsed.banks.map((b) => ({
    contentId: bankIds.get(b.id)!,
    draft: {
      type: 'question_bank',
      title: b.title,
      exam: b.exam,
      questions: parsed.questions
        .filter((q) => q.bank_id === b.id)
        .map((q) => ({ id: questionIds.get(q.id)!, type: q.type, stem: q.stem, options: JSON.parse(q.options) as string[], answer: JSON.parse(q.answer) as string[], explanation: q.explanation, source: source(q.source_id), tags: JSON.parse(q.tags) as string[] })),
    },
  }))
  const quizzes: NewDraft[] = parsed.quizzes.map((z) => {
    const selection = JSON.parse(z.selection) as QuizSelection
    const draft: QuizDraft = {
      type: 'quiz',
      title: z.title,
      description: z.description,
      questions: 'draw' in selection ? { draw: { ...selection.draw, bank: bankIds.get(selection.draw.bank)! } } : { fixed: selection.fixed.map((q) => questionIds.get(q)!) },
      timeLimitMinutes: z.time_limit_minutes,
      passMark: z.pass_mark,
      shuffleOptions: z.shuffle_options === 1,
    }
    return { contentId: newContentId(), draft }
  })
  return [...courses, ...entries, ...banks, ...quizzes]
}

const INSERT_BATCH = 200

/** Where a package's videos go for processing, as for a studio upload (videoUpload.routes.ts). */
export interface PackageVideoOptions {
  /** The local folder behind the media store, where the worker reads the original */
  storeDir: string
  /** Wakes the processing worker */
  onQueued?: () => void
}

/**
 * Checks the whole package, then writes it: the media into the store and, in one transaction,
 * a draft per course and entry (plus the categories the deployment lacks). A refused package
 * leaves nothing behind. Media stored just before a failed transaction are unreferenced uploads,
 * which the clean-up (mediaCleanup.ts) removes after its grace period.
 */
export async function importPackage(
  db: Kysely<Database>,
  store: MediaStore,
  zip: Uint8Array,
  { orgUnitId, unitPath, actor, video }: { orgUnitId: string; unitPath: string; actor: AuditActor & { personId: string }; video: PackageVideoOptions },
): Promise<PackageImportResult> {
  const files = readZip(zip, sizeLimitOf)
  if (![...files.keys()].some((p) => p.endsWith('.md') || p.startsWith('quizzes/'))) throw invalid('The package holds no course, pocket-book entry, question bank or quiz.')
  const sources = sourceLines(files)
  const parsed = await parsePackage(files, new Set(sources.map((s) => s.source)))
  checkStudioLimits(parsed, files)
  const warnings = parsed.courses
    .filter((c) => c.body.trim() !== '')
    .map((c) => `${fileIndex(files).get(`course:${c.id}`)}: the text under the front matter is not kept: a studio course has a description and lessons`)
  // A question's source: a lesson or entry of the package, or one the importing unit's members have.
  const own = new Set([...parsed.lessons.map((l) => l.id), ...parsed.entries.map((e) => e.id)])
  const unitSources = await sourceKinds(db, unitPath, sources.map((s) => s.source).filter((s) => !own.has(s)))
  for (const s of sources.filter((x) => !own.has(x.source) && !unitSources.has(x.source))) {
    warnings.push(`${s.file}:${s.line}: source "${s.source}" is not a lesson or pocket-book entry of this unit: left empty in the draft, pick one before submitting`)
  }

  // Categories: the deployment's own are used as they are; one it lacks comes with the package.
  const known = await db.selectFrom('pocket_category').select(['id', 'deleted_at']).where('id', 'in', parsed.categories.map((c) => c.id).concat('')).execute()
  for (const c of known.filter((k) => k.deleted_at !== null)) throw invalid(`pocket/categories.yaml:1: category "${c.id}" was removed from this deployment; ask its administrator`)
  const newCategories = parsed.categories.filter((c) => !known.some((k) => k.id === c.id))

  const checked = new Map<string, { bytes: Uint8Array; ext: string }>()
  for (const [url, usedIn] of mediaUses(parsed, files)) {
    const path = url.split('?')[0]!.slice(1)
    checked.set(url, await checkMedia(path, files.get(path)!, usedIn))
  }

  // Clean: from here on, writes. The videos were probed by the parser (as a studio upload is).
  const urls = new Map<string, string>()
  for (const [url, media] of checked) urls.set(url, (await store.put(media.bytes, media.ext)).url)
  const videoJobs = new Map<string, string>()
  const jobs: NewVideoJob[] = []
  for (const { sha256, video: original } of parsed.videos) {
    if (videoJobs.has(sha256)) continue
    const stored = await store.put(files.get(original.url.split('?')[0]!.slice(1))!, 'mp4')
    const job = { id: randomUUID(), sourcePath: join(video.storeDir, stored.key), sourceSha256: stored.sha256, original: { ...original, url: stored.url }, uploadedBy: actor.personId }
    videoJobs.set(sha256, job.id)
    jobs.push(job)
  }
  const all = drafts(parsed, urls, unitSources, videoJobs)
  const now = Date.now()
  const ids: string[] = []
  await db.transaction().execute(async (trx) => {
    for (const c of newCategories) {
      await trx
        .insertInto('pocket_category')
        .values({ ...c, org_unit_id: orgUnitId, version: await nextVersion(trx), published_at: now, deleted_at: null })
        .execute()
    }
    for (let i = 0; i < all.length; i += INSERT_BATCH) {
      const rows = all.slice(i, i + INSERT_BATCH).map(({ draft, contentId }) => {
        const id = randomUUID()
        ids.push(id)
        return newDraftRow(id, draft, orgUnitId, actor.personId, now, contentId)
      })
      await trx.insertInto('studio_item').values(rows).execute()
    }
    // The jobs a finished studio upload would queue; the worker makes poster and 省流 rendition.
    for (const job of jobs) await queueVideoJob(trx, job, now)
    const detail = { courses: parsed.courses.length, entries: parsed.entries.length, banks: parsed.banks.length, quizzes: parsed.quizzes.length, categoriesAdded: newCategories.map((c) => c.id), media: checked.size, videos: jobs.length }
    await writeAudit(trx, actor, 'studio.import', orgUnitId, detail, now, unitPath)
  })
  if (jobs.length) video.onQueued?.()
  return { courses: parsed.courses.length, entries: parsed.entries.length, banks: parsed.banks.length, quizzes: parsed.quizzes.length, categoriesAdded: newCategories.map((c) => c.id), media: checked.size + jobs.length, itemIds: ids.slice(0, 100), warnings }
}
