/**
 * Export: a published course, a pocket-book category with its entries, a question bank, or a quiz
 * with its banks, as the files
 * `content/` would hold for it (docs/studio.md "Packages"), with the media it uses. What phones
 * have is exported, whether it came from content:import or from the studio.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { stringify } from 'yaml'
import type { LessonVideo } from '../../../../src/protocol/content.ts'
import type { QuizSelection } from '../../../../src/protocol/quiz.ts'
import type { QuestionBankDraft } from '../../../../src/protocol/studio.ts'
import type { Database } from '../../../db/database.ts'
import { ApiError, notFound } from '../../../shared/errors.ts'
import { UPLOADED_MEDIA_PREFIX, type MediaStore } from '../../media/mediaStore.ts'
import { PACKAGE_LIMITS, type PackageFiles } from './zip.ts'

export interface ExportSources {
  db: Kysely<Database>
  store: MediaStore
  /** content/media, where imported files' media are (served at /media/). */
  contentMediaDir: string
}

const encoder = new TextEncoder()

/** A Markdown file with YAML front matter, as content/ has them. */
function markdown(front: Record<string, unknown>, body: string): Uint8Array {
  const clean = Object.fromEntries(Object.entries(front).filter(([, v]) => v !== null && v !== undefined))
  return encoder.encode(`---\n${stringify(clean, { lineWidth: 0 })}---\n${body}\n`)
}

/** `/media/u/ab/x.jpg?v=…` → `media/u/ab/x.jpg`: the package path of a URL phones use. */
const packagePath = (url: string) => url.split('?')[0]!.slice(1)
const MEDIA_LINK = /\]\((\/media\/[^)\s]+)\)/g

/** Collects the media a package needs and writes package-relative links into its Markdown. */
function mediaCollector(src: ExportSources, files: PackageFiles) {
  const wanted = new Set<string>()
  return {
    ref(url: string | null): string | null {
      if (!url) return null
      wanted.add(url)
      return packagePath(url)
    },
    body(text: string): string {
      return text.replace(MEDIA_LINK, (_m, url: string) => `](${this.ref(url)})`)
    },
    /** Reads every collected file; 409 when one is gone (the package would not import anywhere). */
    async load(): Promise<void> {
      for (const url of wanted) {
        const path = packagePath(url)
        const bytes = url.startsWith(UPLOADED_MEDIA_PREFIX)
          ? await src.store.read(path.slice('media/u/'.length))
          : await readFile(join(src.contentMediaDir, path.slice('media/'.length))).catch(() => undefined)
        if (!bytes) throw new ApiError(409, 'MEDIA_MISSING', `${url} is used but no longer stored: upload it again before exporting.`)
        files.set(path, bytes)
      }
    },
  }
}

export async function exportCourse(src: ExportSources, id: string): Promise<PackageFiles> {
  const course = await src.db.selectFrom('course').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!course) throw notFound('Course')
  const lessons = await src.db.selectFrom('lesson').selectAll().where('course_id', '=', id).where('deleted_at', 'is', null).orderBy('sort_order').execute()
  if (lessons.length > 99) throw new ApiError(409, 'PACKAGE_TOO_MANY_LESSONS', 'A package holds up to 99 lessons per course (files 01- to 99-).')
  const files: PackageFiles = new Map()
  const media = mediaCollector(src, files)
  const dir = `courses/${course.id}`
  const front = { id: course.id, title: course.title, kind: course.kind, category: course.category, description: course.description, cover: media.ref(course.cover), order: course.sort_order }
  files.set(`${dir}/course.md`, markdown(front, media.body(course.body)))
  const videos = lessons.map((l) => (l.video ? (JSON.parse(l.video) as LessonVideo) : null))
  assertVideosFit(lessons, videos)
  lessons.forEach((l, i) => {
    // The original, never a rendition: the importing deployment processes it again (docs/video.md).
    const lessonFront = { id: l.id, title: l.title, order: i + 1, minutes: l.minutes, audio: media.ref(l.audio), video: media.ref(videos[i]?.url ?? null) }
    files.set(`${dir}/${String(i + 1).padStart(2, '0')}-${l.id}.md`, markdown(lessonFront, media.body(l.body)))
  })
  await media.load()
  return files
}

/**
 * The zip is built and read in memory, so its videos must fit in one package (PACKAGE_LIMITS):
 * a course whose videos do not is refused naming the video that overflows; its editor uploads
 * that video in the target deployment instead (docs/studio.md "Packages").
 */
function assertVideosFit(lessons: { title: string }[], videos: (LessonVideo | null)[]): void {
  const MB = 1024 * 1024
  let total = 0
  videos.forEach((v, i) => {
    if (!v) return
    total += v.bytes
    if (total <= PACKAGE_LIMITS.maxBytes) return
    throw new ApiError(
      413,
      'PACKAGE_TOO_LARGE',
      `The video of lesson "${lessons[i]!.title}" (${packagePath(v.url)}, ${(v.bytes / MB).toFixed(0)} MB) takes the course's videos past the package limit of ${PACKAGE_LIMITS.maxBytes / MB} MB: upload that video through the studio's video upload in the target deployment instead.`,
    )
  })
}

/** A category and its live entries that members of the unit see (the unit's and those of the units above it). */
export async function exportPocketCategory(src: ExportSources, id: string, unitPath: string): Promise<PackageFiles> {
  const category = await src.db.selectFrom('pocket_category').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!category) throw notFound('Pocket-book category')
  const entries = await src.db
    .selectFrom('pocket_entry')
    .innerJoin('org_unit', 'org_unit.id', 'pocket_entry.org_unit_id')
    .selectAll('pocket_entry')
    .select('org_unit.path')
    .where('pocket_entry.category', '=', id)
    .where('pocket_entry.deleted_at', 'is', null)
    .orderBy('pocket_entry.id')
    .execute()
  const files: PackageFiles = new Map()
  const media = mediaCollector(src, files)
  files.set('pocket/categories.yaml', encoder.encode(stringify([{ id: category.id, title: category.title, titleEn: category.title_en, order: category.sort_order }])))
  for (const e of entries.filter((x) => unitPath.startsWith(x.path))) {
    const front = { id: e.id, title: e.title, category: e.category, tags: JSON.parse(e.tags) as string[] }
    files.set(`pocket/${id}/${e.id}.md`, markdown(front, media.body(e.body)))
  }
  await media.load()
  return files
}

/** A question row's answer as a bank file writes it (quiz.parse.ts reads it back to the same row). */
function answerOf(type: string, answer: string[]): unknown {
  if (type === 'single') return answer[0]
  if (type === 'truefalse') return answer[0] === 'true'
  return answer
}

/**
 * A bank's file: its live questions as phones have them. Files keep no bank row, so a bank
 * imported by content:import is titled by its id; a studio bank has its published title, and its
 * questions keep the published order (question ids are random, so the id order would not round-trip).
 */
async function bankFile(src: ExportSources, bankId: string): Promise<[string, Uint8Array]> {
  const rows = await src.db.selectFrom('question').selectAll().where('bank_id', '=', bankId).where('deleted_at', 'is', null).orderBy('id').execute()
  if (rows.length === 0) throw notFound('Question bank')
  const item = await src.db.selectFrom('studio_item').select(['id', 'title']).where('content_id', '=', bankId).where('kind', '=', 'question_bank').executeTakeFirst()
  const version = item && (await src.db.selectFrom('studio_version').select('body').where('item_id', '=', item.id).orderBy('number', 'desc').limit(1).executeTakeFirst())
  const published = version ? (JSON.parse(version.body) as QuestionBankDraft) : undefined
  const order = new Map(published?.questions.map((q, i) => [q.id!, i]))
  rows.sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity))
  const questions = rows.map((q) => {
    const options = JSON.parse(q.options) as string[]
    return {
      id: q.id,
      type: q.type,
      stem: q.stem,
      ...(options.length ? { options } : {}),
      answer: answerOf(q.type, JSON.parse(q.answer) as string[]),
      explanation: q.explanation,
      source: q.source_id,
      tags: JSON.parse(q.tags) as string[],
    }
  })
  const bank = { id: bankId, title: published?.title ?? bankId, ...(rows[0]!.exam_only === 1 ? { exam: true } : {}), questions }
  return [`quizzes/banks/${bankId}.yaml`, encoder.encode(stringify(bank, { lineWidth: 0 }))]
}

export async function exportBank(src: ExportSources, id: string): Promise<PackageFiles> {
  return new Map([await bankFile(src, id)])
}

/** A quiz and every bank it asks from (a package must carry them: its selection names their questions). */
export async function exportQuiz(src: ExportSources, id: string): Promise<PackageFiles> {
  const quiz = await src.db.selectFrom('quiz').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!quiz) throw notFound('Quiz')
  const selection = JSON.parse(quiz.selection) as QuizSelection
  const banks =
    'draw' in selection
      ? [selection.draw.bank]
      : (await src.db.selectFrom('question').select('bank_id').distinct().where('id', 'in', selection.fixed).orderBy('bank_id').execute()).map((r) => r.bank_id)
  const file = {
    id: quiz.id,
    title: quiz.title,
    description: quiz.description,
    questions: 'draw' in selection ? { draw: selection.draw } : { fixed: selection.fixed },
    ...(quiz.time_limit_minutes !== null ? { timeLimitMinutes: quiz.time_limit_minutes } : {}),
    passMark: quiz.pass_mark,
    shuffleOptions: quiz.shuffle_options === 1,
  }
  const files: PackageFiles = new Map([[`quizzes/${quiz.id}.yaml`, encoder.encode(stringify(file, { lineWidth: 0 }))]])
  for (const bank of banks) files.set(...(await bankFile(src, bank)))
  return files
}
