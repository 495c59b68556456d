/**
 * Export: a published course, or a pocket-book category with its entries, as the files
 * `content/` would hold for it (docs/studio.md "Packages"), with the media it uses. What phones
 * have is exported, whether it came from content:import or from the studio.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { stringify } from 'yaml'
import type { Database } from '../../../db/database.ts'
import { ApiError, notFound } from '../../../shared/errors.ts'
import { UPLOADED_MEDIA_PREFIX, type MediaStore } from '../../media/mediaStore.ts'
import type { PackageFiles } from './zip.ts'

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
  if (lessons.some((l) => l.video)) throw new ApiError(409, 'PACKAGE_HAS_VIDEO', 'Courses with video lessons are not packed: a video is shared as its own file.')
  if (lessons.length > 99) throw new ApiError(409, 'PACKAGE_TOO_MANY_LESSONS', 'A package holds up to 99 lessons per course (files 01- to 99-).')
  const files: PackageFiles = new Map()
  const media = mediaCollector(src, files)
  const dir = `courses/${course.id}`
  const front = { id: course.id, title: course.title, kind: course.kind, category: course.category, description: course.description, cover: media.ref(course.cover), order: course.sort_order }
  files.set(`${dir}/course.md`, markdown(front, media.body(course.body)))
  lessons.forEach((l, i) => {
    const lessonFront = { id: l.id, title: l.title, order: i + 1, minutes: l.minutes, audio: media.ref(l.audio) }
    files.set(`${dir}/${String(i + 1).padStart(2, '0')}-${l.id}.md`, markdown(lessonFront, media.body(l.body)))
  })
  await media.load()
  return files
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
