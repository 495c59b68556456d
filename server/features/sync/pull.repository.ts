/**
 * One page of changes for one person: rows of every cached table with version > since, in
 * version order, restricted to content scoped to the person's organisation unit or one of its
 * ancestors (demo content is scoped to the district, so everyone sees it).
 */
import type { Kysely } from 'kysely'
import type { MediaRef, PullChange } from '../../../src/protocol/content.ts'
import type { QuizSelection } from '../../../src/protocol/quiz.ts'
import type { Database } from '../../db/database.ts'

/** Ids of the person's unit and every unit above it, read from the materialised path. */
export async function visibleOrgUnits(db: Kysely<Database>, personId: string): Promise<string[]> {
  const row = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select('org_unit.path')
    .where('person.id', '=', personId)
    .executeTakeFirst()
  return row ? row.path.split('/').filter(Boolean) : []
}

export function encodePullCursor(version: number): string {
  return `v${version}`
}

/** Undefined for a cursor this server never gave. */
export function decodePullCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return 0
  const m = /^v(\d{1,15})$/.exec(cursor)
  return m ? Number(m[1]) : undefined
}

const tomb = <T extends PullChange['type']>(type: T, id: string, version: number) => ({ type, id, version, data: null })

export async function pullPage(
  db: Kysely<Database>,
  orgUnitIds: string[],
  since: number,
  limit: number,
): Promise<{ changes: PullChange[]; cursor: string; more: boolean }> {
  if (orgUnitIds.length === 0) return { changes: [], cursor: encodePullCursor(since), more: false }
  // Each table gives at most limit+1 rows; merged by version, the first `limit` are the page
  // and anything beyond says another page waits.
  const [courses, lessons, categories, entries, assignments, questions, quizzes] = await Promise.all([
    db.selectFrom('course').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('lesson').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('pocket_category').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('pocket_entry').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('assignment').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('question').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
    db.selectFrom('quiz').selectAll().where('version', '>', since).where('org_unit_id', 'in', orgUnitIds).orderBy('version').limit(limit + 1).execute(),
  ])
  const all: PullChange[] = [
    ...courses.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('course', r.id, r.version)
        : {
            type: 'course',
            id: r.id,
            version: r.version,
            data: {
              id: r.id,
              title: r.title,
              kind: r.kind,
              category: r.category,
              description: r.description,
              cover: r.cover,
              order: r.sort_order,
              body: r.body,
              media: JSON.parse(r.media) as MediaRef[],
            },
          },
    ),
    ...lessons.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('lesson', r.id, r.version)
        : {
            type: 'lesson',
            id: r.id,
            version: r.version,
            data: { id: r.id, courseId: r.course_id, title: r.title, order: r.sort_order, minutes: r.minutes, audio: r.audio, body: r.body },
          },
    ),
    ...categories.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('pocketCategory', r.id, r.version)
        : { type: 'pocketCategory', id: r.id, version: r.version, data: { id: r.id, title: r.title, titleEn: r.title_en, order: r.sort_order } },
    ),
    ...entries.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('pocketEntry', r.id, r.version)
        : {
            type: 'pocketEntry',
            id: r.id,
            version: r.version,
            data: { id: r.id, category: r.category, title: r.title, tags: JSON.parse(r.tags) as string[], body: r.body },
          },
    ),
    ...assignments.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('assignment', r.id, r.version)
        : { type: 'assignment', id: r.id, version: r.version, data: { id: r.id, courseId: r.course_id, dueAt: r.due_at } },
    ),
    // Answers travel with the questions on purpose: phones score offline (migration 005).
    ...questions.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('question', r.id, r.version)
        : {
            type: 'question',
            id: r.id,
            version: r.version,
            data: {
              id: r.id,
              bankId: r.bank_id,
              type: r.type,
              stem: r.stem,
              options: JSON.parse(r.options) as string[],
              answer: JSON.parse(r.answer) as string[],
              explanation: r.explanation,
              source: { kind: r.source_kind, id: r.source_id },
              tags: JSON.parse(r.tags) as string[],
            },
          },
    ),
    ...quizzes.map((r): PullChange =>
      r.deleted_at !== null
        ? tomb('quiz', r.id, r.version)
        : {
            type: 'quiz',
            id: r.id,
            version: r.version,
            data: {
              id: r.id,
              version: Number(r.version),
              title: r.title,
              description: r.description,
              questions: JSON.parse(r.selection) as QuizSelection,
              timeLimitMinutes: r.time_limit_minutes,
              passMark: r.pass_mark,
              shuffleOptions: r.shuffle_options === 1,
            },
          },
    ),
  ]
  all.sort((a, b) => a.version - b.version)
  const changes = all.slice(0, limit)
  const last = changes[changes.length - 1]
  return { changes, cursor: encodePullCursor(last ? last.version : since), more: all.length > limit }
}
