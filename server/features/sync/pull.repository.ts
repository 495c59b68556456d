/**
 * One page of changes for one person: rows of every cached table with version > since, in
 * version order. Content is restricted to rows scoped to the person's organisation unit or one
 * of its ancestors (demo content is scoped to the district, so everyone sees it); assignments
 * further to those that apply to the person (member group, named people).
 *
 * Table-driven: each pulled table is one entry of SOURCES (a query and a row → data mapper).
 */
import type { Kysely, Selectable } from 'kysely'
import type { MemberGroup } from '../../../src/protocol/assignment.ts'
import type { MediaRef, PullChange, PullType } from '../../../src/protocol/content.ts'
import type { QuizSelection } from '../../../src/protocol/quiz.ts'
import type { Database } from '../../db/database.ts'
import { memberGroupsOf } from '../assignment/assignment.repository.ts'

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

/** Who a pull is for: the person, their unit and its ancestors, and their member groups. */
export interface PullScope {
  personId: string
  orgUnitIds: string[]
  memberGroups: MemberGroup[]
}

export async function pullScope(db: Kysely<Database>, personId: string, now = Date.now()): Promise<PullScope> {
  const row = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['org_unit.path', 'person.is_flowing', 'person.is_elderly', 'person.is_committee', 'person.joined_party_at'])
    .where('person.id', '=', personId)
    .executeTakeFirst()
  if (!row) return { personId, orgUnitIds: [], memberGroups: [] }
  return { personId, orgUnitIds: row.path.split('/').filter(Boolean), memberGroups: memberGroupsOf(row, now) }
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

interface SyncedRow {
  id: string
  version: number
  deleted_at: number | null
}
type Fetch<R> = (db: Kysely<Database>, scope: PullScope, since: number, limit: number) => Promise<R[]>
type DataOf<T extends PullType> = NonNullable<Extract<PullChange, { type: T }>['data']>
type Source = (db: Kysely<Database>, scope: PullScope, since: number, limit: number) => Promise<PullChange[]>

/** One pulled table: its rows changed since the cursor, each a tombstone or its data. */
function pulled<T extends PullType, R extends SyncedRow>(type: T, fetch: Fetch<R>, data: (row: R) => DataOf<T>): Source {
  return async (db, scope, since, limit) =>
    (await fetch(db, scope, since, limit)).map(
      (r) => ({ type, id: r.id, version: r.version, data: r.deleted_at !== null ? null : data(r) }) as PullChange,
    )
}

type ScopedTable = 'course' | 'lesson' | 'pocket_category' | 'pocket_entry' | 'question' | 'quiz'

/** Rows of a content table scoped to the person's unit or an ancestor, version > since. */
function changedSince<TB extends ScopedTable>(table: TB): Fetch<Selectable<Database[TB]>> {
  return (db, scope, since, limit) =>
    db
      .selectFrom(table as ScopedTable)
      .selectAll()
      .where('version', '>', since)
      .where('org_unit_id', 'in', scope.orgUnitIds)
      .orderBy('version')
      .limit(limit + 1)
      .execute() as Promise<Selectable<Database[TB]>[]>
}

/**
 * Assignments that apply to the person: unit targets on their unit or an ancestor (for everyone
 * or for a member group they are in), and assignments naming them. Two indexed queries
 * (assignment_scope_idx, assignment_person_pk), merged by version.
 */
const applicableAssignments: Fetch<Selectable<Database['assignment']>> = async (db, scope, since, limit) => {
  const [forUnits, forPerson] = await Promise.all([
    db
      .selectFrom('assignment')
      .selectAll()
      .where('version', '>', since)
      .where('org_unit_id', 'in', scope.orgUnitIds)
      .where('target', '=', 'unit')
      .where((eb) =>
        scope.memberGroups.length
          ? eb.or([eb('member_group', 'is', null), eb('member_group', 'in', scope.memberGroups)])
          : eb('member_group', 'is', null),
      )
      .orderBy('version')
      .limit(limit + 1)
      .execute(),
    db
      .selectFrom('assignment_person')
      .innerJoin('assignment', 'assignment.id', 'assignment_person.assignment_id')
      .selectAll('assignment')
      .where('assignment_person.person_id', '=', scope.personId)
      .where('assignment.version', '>', since)
      .orderBy('assignment.version')
      .limit(limit + 1)
      .execute(),
  ])
  return [...forUnits, ...forPerson].sort((a, b) => a.version - b.version).slice(0, limit + 1)
}

const SOURCES: Source[] = [
  pulled('course', changedSince('course'), (r) => ({
    id: r.id,
    title: r.title,
    kind: r.kind,
    category: r.category,
    description: r.description,
    cover: r.cover,
    order: r.sort_order,
    body: r.body,
    media: JSON.parse(r.media) as MediaRef[],
  })),
  pulled('lesson', changedSince('lesson'), (r) => ({
    id: r.id,
    courseId: r.course_id,
    title: r.title,
    order: r.sort_order,
    minutes: r.minutes,
    audio: r.audio,
    body: r.body,
  })),
  pulled('pocketCategory', changedSince('pocket_category'), (r) => ({ id: r.id, title: r.title, titleEn: r.title_en, order: r.sort_order })),
  pulled('pocketEntry', changedSince('pocket_entry'), (r) => ({
    id: r.id,
    category: r.category,
    title: r.title,
    tags: JSON.parse(r.tags) as string[],
    body: r.body,
  })),
  pulled('assignment', applicableAssignments, (r) => ({ id: r.id, courseId: r.course_id, quizId: r.quiz_id, dueAt: r.due_at })),
  // Answers travel with the questions on purpose: phones score offline (migration 005).
  pulled('question', changedSince('question'), (r) => ({
    id: r.id,
    bankId: r.bank_id,
    type: r.type,
    stem: r.stem,
    options: JSON.parse(r.options) as string[],
    answer: JSON.parse(r.answer) as string[],
    explanation: r.explanation,
    source: { kind: r.source_kind, id: r.source_id },
    tags: JSON.parse(r.tags) as string[],
  })),
  pulled('quiz', changedSince('quiz'), (r) => ({
    id: r.id,
    version: Number(r.version),
    title: r.title,
    description: r.description,
    questions: JSON.parse(r.selection) as QuizSelection,
    timeLimitMinutes: r.time_limit_minutes,
    passMark: r.pass_mark,
    shuffleOptions: r.shuffle_options === 1,
  })),
]

export async function pullPage(
  db: Kysely<Database>,
  scope: PullScope,
  since: number,
  limit: number,
): Promise<{ changes: PullChange[]; cursor: string; more: boolean }> {
  if (scope.orgUnitIds.length === 0) return { changes: [], cursor: encodePullCursor(since), more: false }
  // Each table gives at most limit+1 rows; merged by version, the first `limit` are the page
  // and anything beyond says another page waits.
  const all = (await Promise.all(SOURCES.map((pull) => pull(db, scope, since, limit)))).flat()
  all.sort((a, b) => a.version - b.version)
  const changes = all.slice(0, limit)
  const last = changes[changes.length - 1]
  return { changes, cursor: encodePullCursor(last ? last.version : since), more: all.length > limit }
}
