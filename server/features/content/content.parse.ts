/**
 * Reads content/ (Markdown + YAML front matter) into rows ready for the database, without
 * touching the database. Every problem is a ContentError naming the file, the line and what is
 * wrong, and parsing finishes before anything is written, so a bad file never half-imports.
 */
import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseDocument, LineCounter, isMap, isScalar, type Document } from 'yaml'
import { parseQuizzes, type ParsedBank, type ParsedQuestion, type ParsedQuiz } from './quiz.parse.ts'
import { probeMp4File, VideoError } from './video.probe.ts'
import type { LessonVideo } from '../../../src/protocol/content.ts'
import type { CourseTable, LessonTable, PocketCategoryTable, PocketEntryTable, SyncedColumns } from '../../db/database.ts'

export const COURSE_CATEGORIES = ['party-theory', 'org-life', 'rural-revitalisation', 'safety', 'law', 'skills'] as const
export const COURSE_KINDS = ['theme', 'specialty'] as const
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/

/**
 * The rules' messages, shared by the files (with file:line) and the course studio's forms (next
 * to the field, server/features/studio/studio.validate.ts), so both refuse the same things alike.
 */
export const RULES = {
  required: (key: string) => `"${key}" is required`,
  text: (key: string, v: unknown) => `"${key}" must be text, got ${JSON.stringify(v)}`,
  oneOf: (key: string, allowed: readonly string[], v: unknown) => `"${key}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
  wholeNumber: (key: string, min: number, v: unknown) => `"${key}" must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`,
  /** A lesson is at least one minute long. */
  lessonMinutesMin: 1,
  lessonNoText: 'lesson has no text',
  entryNoText: 'entry has no text',
  unknownPocketCategory: (category: string) => `category "${category}" is not listed in pocket/categories.yaml`,
}

export class ContentError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly what: string,
  ) {
    super(`${file}:${line}: ${what}`)
  }
}

export interface MediaRef {
  url: string
  bytes: number
}

/** A parsed row is its table row without the columns the import itself decides. */
type Parsed<T> = Omit<T, Exclude<keyof SyncedColumns, 'content_hash'>>
export type ParsedCourse = Parsed<CourseTable>
export type ParsedLesson = Parsed<LessonTable>
export type ParsedCategory = Parsed<PocketCategoryTable>
export type ParsedEntry = Parsed<PocketEntryTable>

export interface ParsedContent {
  courses: ParsedCourse[]
  lessons: ParsedLesson[]
  categories: ParsedCategory[]
  entries: ParsedEntry[]
  banks: ParsedBank[]
  questions: ParsedQuestion[]
  quizzes: ParsedQuiz[]
  /** Each lesson video's file, for the processing queue (features/video/) */
  videos: ParsedVideo[]
}

export interface ParsedVideo {
  path: string
  sha256: string
  video: LessonVideo
}

function hashOf(row: object): string {
  return createHash('sha256').update(JSON.stringify(row)).digest('hex')
}

interface FrontMatter {
  /** Typed accessors that throw ContentError with the line of the offending key. */
  str(key: string, opts?: { optional?: boolean; pattern?: RegExp; oneOf?: readonly string[] }): string
  optStr(key: string): string | null
  int(key: string, min?: number): number
  strList(key: string): string[]
  /** Line of a key in the file (for errors found after reading). */
  line(key: string): number
  body: string
  bodyLine: number
}

/** Splits "---\nyaml\n---\nbody" and wraps the YAML with line-aware validation. */
function readFrontMatter(file: string, text: string): FrontMatter {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines[0]?.trim() !== '---') throw new ContentError(file, 1, 'front matter must start with a "---" line')
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---')
  if (end < 0) throw new ContentError(file, 1, 'front matter is not closed by a "---" line')
  const counter = new LineCounter()
  const doc = parseDocument(lines.slice(1, end).join('\n'), { lineCounter: counter, prettyErrors: false })
  const yamlLine = (offset: number) => counter.linePos(offset).line + 1 // +1 for the opening ---
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    throw new ContentError(file, yamlLine(e.pos[0]), `invalid YAML: ${e.message.split('\n')[0]}`)
  }
  if (!isMap(doc.contents)) throw new ContentError(file, 2, 'front matter must be a YAML mapping of key: value')
  return wrap(file, doc, yamlLine, lines.slice(end + 1).join('\n').trim(), end + 2)
}

function wrap(file: string, doc: Document, yamlLine: (o: number) => number, body: string, bodyLine: number): FrontMatter {
  const node = (key: string) => {
    const map = doc.contents
    if (!isMap(map)) return undefined
    return map.items.find((p) => isScalar(p.key) && p.key.value === key)
  }
  const lineOf = (key: string) => {
    const pair = node(key)
    const range = (pair?.value as { range?: number[] } | null)?.range ?? (pair?.key as { range?: number[] } | null)?.range
    return range ? yamlLine(range[0]!) : 2
  }
  const fail = (key: string, what: string): never => {
    throw new ContentError(file, lineOf(key), what)
  }
  const raw = (key: string): unknown => doc.get(key)
  const fm: FrontMatter = {
    str(key, opts = {}) {
      const v = raw(key)
      if (v === undefined || v === null || v === '') {
        if (opts.optional) return ''
        return fail(key, RULES.required(key))
      }
      if (typeof v !== 'string') return fail(key, RULES.text(key, v))
      if (opts.pattern && !opts.pattern.test(v)) return fail(key, `"${key}" ${JSON.stringify(v)} must match ${opts.pattern}`)
      if (opts.oneOf && !opts.oneOf.includes(v)) return fail(key, RULES.oneOf(key, opts.oneOf, v))
      return v.trim()
    },
    optStr(key) {
      return fm.str(key, { optional: true }) || null
    },
    int(key, min = 0) {
      const v = raw(key)
      if (v === undefined) return fail(key, RULES.required(key))
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return fail(key, RULES.wholeNumber(key, min, v))
      return v
    },
    strList(key) {
      const v = doc.toJS()?.[key] as unknown
      if (v === undefined || v === null) return []
      if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) return fail(key, `"${key}" must be a list of text, e.g. [a, b]`)
      return v as string[]
    },
    line: lineOf,
    body,
    bodyLine,
  }
  return fm
}

/** sha256 of a file read in 1 MB pieces: a video of hundreds of MB never sits in memory whole. */
function fileHash(path: string): string {
  const hash = createHash('sha256')
  const buf = Buffer.alloc(1024 * 1024)
  const fd = openSync(path, 'r')
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

/** Finds a media file under content/, returns its versioned URL and size. */
function mediaResolver(root: string) {
  const cache = new Map<string, MediaRef>()
  const resolveMedia = (file: string, line: number, ref: string): MediaRef => {
    const clean = ref.replace(/^\.?\//, '')
    const hit = cache.get(clean)
    if (hit) return hit
    const path = join(root, clean)
    if (!clean.startsWith('media/') || clean.includes('..') || !existsSync(path) || !statSync(path).isFile()) {
      throw new ContentError(file, line, `media file "${ref}" does not exist under content/media/`)
    }
    // The hash in the URL lets phones cache media for a year and still see an edited file.
    const sha256 = fileHash(path)
    const media = { url: `/${clean}?v=${sha256.slice(0, 12)}`, bytes: statSync(path).size }
    cache.set(clean, media)
    hashes.set(media.url, sha256)
    return media
  }
  const hashes = new Map<string, string>()
  /** A lesson video: the bytes must be an MP4 within the limits (video.probe.ts). */
  resolveMedia.video = (file: string, line: number, ref: string): ParsedVideo => {
    const { url, bytes } = resolveMedia(file, line, ref)
    const path = join(root, ref.replace(/^\.?\//, ''))
    try {
      const { duration, width, height } = probeMp4File(path)
      return { path, sha256: hashes.get(url)!, video: { url, bytes, type: 'video/mp4', duration, width, height } }
    } catch (err) {
      if (err instanceof VideoError) throw new ContentError(file, line, `video "${ref}": ${err.message}`)
      throw err
    }
  }
  return resolveMedia
}

/** Rewrites ](media/…) links in Markdown to versioned /media/… URLs and collects them. */
function rewriteMediaLinks(file: string, body: string, firstLine: number, resolve: ReturnType<typeof mediaResolver>, into: MediaRef[]): string {
  return body
    .split('\n')
    .map((line, i) =>
      line.replace(/\]\((\.?\/?media\/[^)\s]+)\)/g, (_m, ref: string) => {
        const media = resolve(file, firstLine + i, ref)
        into.push(media)
        return `](${media.url})`
      }),
    )
    .join('\n')
}

function mdFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
}

function dirs(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
}

/** Parses the whole content/ folder; throws the first ContentError found. */
/**
 * `citable`: ids a question may name as its source besides the folder's own lessons and entries
 * (a studio package's questions may cite the importing unit's; the package import checks them).
 */
export function parseContent(root: string, citable: ReadonlySet<string> = new Set()): ParsedContent {
  const rel = (p: string) => relative(root, p) || p
  const resolve = mediaResolver(root)
  const out: ParsedContent = { courses: [], lessons: [], categories: [], entries: [], banks: [], questions: [], quizzes: [], videos: [] }
  const seen = new Map<string, string>()
  const claim = (kind: string, id: string, file: string, line: number) => {
    const key = `${kind}:${id}`
    const other = seen.get(key)
    if (other) throw new ContentError(file, line, `${kind} id "${id}" is already used by ${other}`)
    seen.set(key, file)
  }

  for (const dir of dirs(join(root, 'courses'))) {
    const courseFile = join(root, 'courses', dir, 'course.md')
    if (!existsSync(courseFile)) throw new ContentError(rel(join(root, 'courses', dir)), 0, 'course folder has no course.md')
    const file = rel(courseFile)
    const fm = readFrontMatter(file, readFileSync(courseFile, 'utf8'))
    const media: MediaRef[] = []
    const coverRef = fm.optStr('cover')
    const cover = coverRef ? resolve(file, fm.line('cover'), coverRef) : null
    if (cover) media.push(cover)
    const course = {
      id: fm.str('id', { pattern: ID }),
      title: fm.str('title'),
      kind: fm.str('kind', { oneOf: COURSE_KINDS }) as ParsedCourse['kind'],
      category: fm.str('category', { oneOf: COURSE_CATEGORIES }),
      description: fm.str('description'),
      cover: cover?.url ?? null,
      sort_order: fm.int('order'),
      body: rewriteMediaLinks(file, fm.body, fm.bodyLine, resolve, media),
    }
    claim('course', course.id, file, fm.line('id'))

    for (const name of mdFiles(join(root, 'courses', dir)).filter((f) => f !== 'course.md')) {
      const lessonFile = rel(join(root, 'courses', dir, name))
      if (!/^\d{2}-[a-z0-9-]+\.md$/.test(name)) throw new ContentError(lessonFile, 0, 'lesson files are named NN-some-name.md')
      const lf = readFrontMatter(lessonFile, readFileSync(join(root, 'courses', dir, name), 'utf8'))
      const audioRef = lf.optStr('audio')
      const audio = audioRef ? resolve(lessonFile, lf.line('audio'), audioRef) : null
      if (audio) media.push(audio)
      // Videos are not in the course's media list: they download in chunks, one lesson at a time.
      const videoRef = lf.optStr('video')
      const video = videoRef ? resolve.video(lessonFile, lf.line('video'), videoRef) : null
      const lesson = {
        id: lf.str('id', { pattern: ID }),
        course_id: course.id,
        title: lf.str('title'),
        sort_order: lf.int('order'),
        minutes: lf.int('minutes', RULES.lessonMinutesMin),
        audio: audio?.url ?? null,
        video: video ? JSON.stringify(video.video) : null,
        // Only on video lessons, so a text lesson's content hash (and version) stays as it was.
        ...(video ? { video_source: video.sha256 } : {}),
        body: rewriteMediaLinks(lessonFile, lf.body, lf.bodyLine, resolve, media),
      }
      // A video lesson's notes are optional; a text lesson is nothing without its text.
      if (!lesson.body && !video) throw new ContentError(lessonFile, lf.bodyLine, RULES.lessonNoText)
      claim('lesson', lesson.id, lessonFile, lf.line('id'))
      if (video) out.videos.push(video)
      out.lessons.push({ ...lesson, content_hash: hashOf(lesson) })
    }
    const unique = [...new Map(media.map((m) => [m.url, m])).values()]
    const row = { ...course, media: JSON.stringify(unique) }
    out.courses.push({ ...row, content_hash: hashOf(row) })
  }

  const catFile = join(root, 'pocket', 'categories.yaml')
  if (existsSync(catFile)) {
    const counter = new LineCounter()
    const doc = parseDocument(readFileSync(catFile, 'utf8'), { lineCounter: counter })
    const file = rel(catFile)
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!
      throw new ContentError(file, counter.linePos(e.pos[0]).line, `invalid YAML: ${e.message.split('\n')[0]}`)
    }
    const list = doc.toJS() as unknown
    if (!Array.isArray(list)) throw new ContentError(file, 1, 'categories.yaml must be a list of {id, title, titleEn, order}')
    const items = (doc.contents as { items?: { range?: number[] }[] }).items ?? []
    list.forEach((c: Record<string, unknown>, i) => {
      const line = items[i]?.range ? counter.linePos(items[i]!.range![0]!).line : 1
      if (typeof c?.id !== 'string' || !ID.test(c.id)) throw new ContentError(file, line, '"id" is required and must be lower-case-with-dashes')
      if (typeof c.title !== 'string' || !c.title) throw new ContentError(file, line, `"title" is required for category ${c.id}`)
      if (typeof c.order !== 'number') throw new ContentError(file, line, `"order" must be a number for category ${c.id}`)
      claim('category', c.id, file, line)
      const row = { id: c.id, title: c.title, title_en: typeof c.titleEn === 'string' ? c.titleEn : c.title, sort_order: c.order }
      out.categories.push({ ...row, content_hash: hashOf(row) })
    })
  }
  const categoryIds = new Set(out.categories.map((c) => c.id))

  for (const dir of dirs(join(root, 'pocket'))) {
    for (const name of mdFiles(join(root, 'pocket', dir))) {
      const file = rel(join(root, 'pocket', dir, name))
      const fm = readFrontMatter(file, readFileSync(join(root, 'pocket', dir, name), 'utf8'))
      const category = fm.str('category')
      if (!categoryIds.has(category)) {
        throw new ContentError(file, fm.line('category'), RULES.unknownPocketCategory(category))
      }
      const entry = {
        id: fm.str('id', { pattern: ID }),
        category,
        title: fm.str('title'),
        tags: JSON.stringify(fm.strList('tags')),
        body: rewriteMediaLinks(file, fm.body, fm.bodyLine, resolve, []),
      }
      if (!entry.body) throw new ContentError(file, fm.bodyLine, RULES.entryNoText)
      claim('pocket entry', entry.id, file, fm.line('id'))
      out.entries.push({ ...entry, content_hash: hashOf(entry) })
    }
  }
  const quiz = parseQuizzes(root, rel, new Set([...out.lessons.map((l) => l.id), ...citable]), new Set(out.entries.map((e) => e.id)))
  out.banks = quiz.banks
  out.questions = quiz.questions
  out.quizzes = quiz.quizzes
  return out
}
