/**
 * One page of changes for one person: rows of every cached table with version > since, in
 * version order. Content is restricted to rows scoped to the person's organisation unit or one
 * of its ancestors (demo content is scoped to the district, so everyone sees it); assignments
 * further to those that apply to the person (member group, named people).
 *
 * Table-driven: each pulled table is one entry of SOURCES (a query and a row → data mapper).
 * The cursor and scope resets are described in pull.cursor.ts and docs/sync-protocol.md (Pull).
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { MemberGroup } from '../../../src/protocol/assignment.ts'
import type { LessonVideo, MediaRef, PullChange, PullResponse, PullType } from '../../../src/protocol/content.ts'
import type { QuizSelection } from '../../../src/protocol/quiz.ts'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { memberGroupsOf } from '../assignment/assignment.repository.ts'
import { markReports } from '../reports/reportFold.ts'
import { encodePullCursor, resetNeeded, scopeToken, type PullCursor, type ResetWhat, type ScopeToken } from './pull.cursor.ts'

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
  /** The scope in short, carried in the cursor to notice when it changes. */
  token: ScopeToken
}

/** The person's row with what their scope is made of: their unit's path and member-group flags. */
const personScopeRow = (db: Kysely<Database>, personId: string) =>
  db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['org_unit.path', 'person.is_flowing', 'person.is_elderly', 'person.is_committee', 'person.joined_party_at'])
    .where('person.id', '=', personId)

function scopeOf(personId: string, row: { path: string } & Parameters<typeof memberGroupsOf>[0], now: number): PullScope {
  const memberGroups = memberGroupsOf(row, now)
  return { personId, orgUnitIds: row.path.split('/').filter(Boolean), memberGroups, token: scopeToken(row.path, memberGroups) }
}

const NO_SCOPE = (personId: string): PullScope => ({ personId, orgUnitIds: [], memberGroups: [], token: scopeToken('', []) })

/** The person's pull scope alone, for read routes that follow the same addressing (surveys). */
export async function pullScope(db: Kysely<Database>, personId: string, now = Date.now()): Promise<PullScope> {
  const row = await personScopeRow(db, personId).executeTakeFirst()
  return row ? scopeOf(personId, row, now) : NO_SCOPE(personId)
}

/** What one statement tells a pull: the person's scope, the newest pulled version, the device's last pull. */
interface Look {
  scope: PullScope
  /** The highest version any pulled table holds (0 when none): rows the person may not see count too. */
  newest: number
  /** When the device's pull was last written down; null when never (or no device named). */
  deviceSeenAt: number | null
}

/**
 * One statement, so one snapshot on either database: the person's scope, the newest version of
 * every pulled table (each an index probe of its version index: max() reads one entry) and the
 * device's last pull. A cursor at or above `newest` under the same scope has nothing to fetch.
 */
async function lookAround(db: Kysely<Database>, personId: string, now: number, deviceId?: string): Promise<Look> {
  const newest = sql<number | null>`(select max(v) from (${sql.join(
    SOURCES.map((s) => sql`select max(version) as v from ${sql.table(s.table)}`),
    sql` union all `,
  )}) as newest)`
  const seen = deviceId === undefined ? sql<number | null>`null` : sql<number | null>`(select last_pull_at from sync_device where person_id = ${personId} and device_id = ${deviceId})`
  const row = await personScopeRow(db, personId)
    .select([newest.as('newest'), seen.as('seen')])
    .executeTakeFirst()
  if (!row) return { scope: NO_SCOPE(personId), newest: 0, deviceSeenAt: null }
  return {
    scope: scopeOf(personId, row, now),
    newest: Number(row.newest ?? 0),
    deviceSeenAt: row.seen === null ? null : Number(row.seen),
  }
}

interface SyncedRow {
  id: string
  version: number
  deleted_at: number | null
}

/**
 * Which rows of one table a page reads: version > after; with `liveAbove` (a table being
 * refetched by a reset) a tombstone only when it is newer than `liveAbove`, because the phone
 * already had every older tombstone applied and the sweep removes whatever else it should not keep.
 */
interface Bounds {
  after: number
  liveAbove?: number
  /** A first pull's pages: nothing above this version (later changes come after it, as usual). */
  upTo?: number
  /** A first pull's courses and lessons: only those of courses assigned to the person, or only the others. */
  assigned?: 'only' | 'not'
}

function inBounds(b: Bounds, table: string): RawBuilder<SqlBool> {
  const version = sql.ref(`${table}.version`)
  const below = b.upTo === undefined ? sql`` : sql` and ${version} <= ${b.upTo}`
  return b.liveAbove === undefined
    ? sql<SqlBool>`${version} > ${b.after}${below}`
    : sql<SqlBool>`${version} > ${b.after}${below} and (${sql.ref(`${table}.deleted_at`)} is null or ${version} > ${b.liveAbove})`
}

type Fetch<R> = (db: Kysely<Database>, scope: PullScope, bounds: Bounds, limit: number) => Promise<R[]>
type DataOf<T extends PullType> = NonNullable<Extract<PullChange, { type: T }>['data']>
interface Source {
  type: PullType
  /** The table the rows come from: its newest version counts for the up-to-date check. */
  table: PulledTable
  read: (db: Kysely<Database>, scope: PullScope, bounds: Bounds, limit: number) => Promise<PullChange[]>
}

/**
 * One pulled table: its rows changed since the cursor, each a tombstone or its data. A
 * `withheld` row goes out as a tombstone: the phone drops any copy it has and never gets one.
 */
function pulled<T extends PullType, R extends SyncedRow>(
  type: T,
  table: PulledTable,
  fetch: Fetch<R>,
  data: (row: R) => DataOf<T>,
  withheld: (row: R) => boolean = () => false,
): Source {
  return {
    type,
    table,
    read: async (db, scope, bounds, limit) =>
      (await fetch(db, scope, bounds, limit)).map(
        (r) => ({ type, id: r.id, version: r.version, data: r.deleted_at !== null || withheld(r) ? null : data(r) }) as PullChange,
      ),
  }
}

type ScopedTable = 'course' | 'lesson' | 'pocket_category' | 'pocket_entry' | 'question' | 'quiz'
type PulledTable = ScopedTable | 'assignment'

/** Rows of a content table scoped to the person's unit or an ancestor, within the bounds. */
function changedSince<TB extends ScopedTable>(table: TB): Fetch<Selectable<Database[TB]>> {
  return (db, scope, bounds, limit) => {
    let q = db
      .selectFrom(table as ScopedTable)
      .selectAll()
      .where(inBounds(bounds, table))
      .where('org_unit_id', 'in', scope.orgUnitIds)
    if (bounds.assigned && (table === 'course' || table === 'lesson')) {
      q = q.where(sql.ref(table === 'course' ? 'id' : 'course_id'), bounds.assigned === 'only' ? 'in' : 'not in', assignedCourses(db, scope, bounds.upTo ?? 0))
    }
    return q.orderBy('version').limit(limit + 1).execute() as Promise<Selectable<Database[TB]>[]>
  }
}

/** Unit-targeted assignments for the person's units: for everyone, or for a member group they are in. */
function forTheirUnits<QB extends SelectQueryBuilder<Database, 'assignment', object>>(q: QB, scope: PullScope): QB {
  return q
    .where('assignment.org_unit_id', 'in', scope.orgUnitIds)
    .where('assignment.target', '=', 'unit')
    .where((eb) =>
      scope.memberGroups.length
        ? eb.or([eb('assignment.member_group', 'is', null), eb('assignment.member_group', 'in', scope.memberGroups)])
        : eb('assignment.member_group', 'is', null),
    ) as QB
}

/**
 * The courses assigned to the person by live assignments at or below version `upTo`. Within one
 * scope this set only shrinks as time passes (a new or changed assignment has a version above
 * `upTo`; named people are written with their assignment), so a course a first pull's last phase
 * leaves out as assigned was sent by its first phase.
 */
function assignedCourses(db: Kysely<Database>, scope: PullScope, upTo: number) {
  const live = <QB extends SelectQueryBuilder<Database, 'assignment' | 'assignment_person', object>>(q: QB) =>
    q.where('assignment.course_id', 'is not', null).where('assignment.deleted_at', 'is', null).where('assignment.version', '<=', upTo) as QB
  return live(forTheirUnits(db.selectFrom('assignment').select('assignment.course_id'), scope)).union(
    live(
      db
        .selectFrom('assignment_person')
        .innerJoin('assignment', 'assignment.id', 'assignment_person.assignment_id')
        .select('assignment.course_id')
        .where('assignment_person.person_id', '=', scope.personId),
    ),
  )
}

/**
 * Assignments that apply to the person: unit targets on their unit or an ancestor (for everyone
 * or for a member group they are in), and assignments naming them. Two indexed queries
 * (assignment_scope_idx, assignment_person_pk), merged by version; one after the other, as
 * every query of a page runs on the page's one snapshot (one connection).
 */
const applicableAssignments: Fetch<Selectable<Database['assignment']>> = async (db, scope, bounds, limit) => {
  const forUnits = await forTheirUnits(db.selectFrom('assignment').selectAll().where(inBounds(bounds, 'assignment')), scope)
    .orderBy('version')
    .limit(limit + 1)
    .execute()
  const forPerson = await db
    .selectFrom('assignment_person')
    .innerJoin('assignment', 'assignment.id', 'assignment_person.assignment_id')
    .selectAll('assignment')
    .where('assignment_person.person_id', '=', scope.personId)
    .where(inBounds(bounds, 'assignment'))
    .orderBy('assignment.version')
    .limit(limit + 1)
    .execute()
  return [...forUnits, ...forPerson].sort((a, b) => a.version - b.version).slice(0, limit + 1)
}

const SOURCES: Source[] = [
  pulled('course', 'course', changedSince('course'), (r) => ({
    id: r.id,
    title: r.title,
    kind: r.kind,
    category: r.category,
    // A unit's specialty category travels by title: phones have no table of categories.
    ...(r.category_title ? { categoryTitle: r.category_title } : {}),
    description: r.description,
    cover: r.cover,
    order: r.sort_order,
    body: r.body,
    media: JSON.parse(r.media) as MediaRef[],
  })),
  pulled('lesson', 'lesson', changedSince('lesson'), (r) => ({
    id: r.id,
    courseId: r.course_id,
    title: r.title,
    order: r.sort_order,
    minutes: r.minutes,
    audio: r.audio,
    video: r.video === null ? null : (JSON.parse(r.video) as LessonVideo),
    body: r.body,
  })),
  pulled('pocketCategory', 'pocket_category', changedSince('pocket_category'), (r) => ({ id: r.id, title: r.title, titleEn: r.title_en, order: r.sort_order })),
  pulled('pocketEntry', 'pocket_entry', changedSince('pocket_entry'), (r) => ({
    id: r.id,
    category: r.category,
    title: r.title,
    tags: JSON.parse(r.tags) as string[],
    body: r.body,
  })),
  pulled('assignment', 'assignment', applicableAssignments, (r) => ({ id: r.id, courseId: r.course_id, quizId: r.quiz_id, dueAt: r.due_at })),
  // Answers travel with practice questions on purpose: phones score offline (migration 005).
  pulled(
    'question',
    'question',
    changedSince('question'),
    (r) => ({
    id: r.id,
    bankId: r.bank_id,
    type: r.type,
    stem: r.stem,
    options: JSON.parse(r.options) as string[],
    answer: JSON.parse(r.answer) as string[],
    explanation: r.explanation,
    source: { kind: r.source_kind, id: r.source_id },
    tags: JSON.parse(r.tags) as string[],
    }),
    // Exam banks and their quizzes stay on the server (migration 031): exams send papers, not answers.
    (r) => r.exam_only === 1,
  ),
  pulled(
    'quiz',
    'quiz',
    changedSince('quiz'),
    (r) => ({
      id: r.id,
      version: Number(r.version),
      title: r.title,
      description: r.description,
      questions: JSON.parse(r.selection) as QuizSelection,
      timeLimitMinutes: r.time_limit_minutes,
      passMark: r.pass_mark,
      shuffleOptions: r.shuffle_options === 1,
    }),
    // Exam banks and their quizzes stay on the server (migration 031): exams send papers, not answers.
    (r) => r.exam_only === 1,
  ),
]

const ALL_TYPES = SOURCES.map((s) => s.type)

/** Where this page starts and, when the scope changed, the reset it belongs to. */
interface Plan {
  after: number
  reset?: { what: ResetWhat; since: number; begins: boolean }
}

function planFor(cursor: PullCursor, scope: ScopeToken): Plan {
  switch (cursor.kind) {
    case 'start':
      return { after: 0 }
    case 'unscoped':
      return { after: 0, reset: { what: 'all', since: cursor.version, begins: true } }
    case 'at': {
      const what = resetNeeded(cursor.scope, scope)
      return what ? { after: 0, reset: { what, since: cursor.version, begins: true } } : { after: cursor.version }
    }
    case 'first':
      // The scope changed during a first pull: the phone holds some rows of the old scope, so
      // every table is sent again and the sweep at the end removes what it may no longer keep.
      return { after: 0, reset: { what: 'all', since: 0, begins: true } }
    case 'reset': {
      const change = resetNeeded(cursor.scope, scope)
      if (!change) return { after: cursor.pos, reset: { what: cursor.what, since: cursor.since, begins: false } }
      // The scope changed again mid-reset: start over, refetching both changes' tables.
      return { after: 0, reset: { what: change === 'all' ? 'all' : cursor.what, since: cursor.since, begins: true } }
    }
  }
}

/**
 * During a reset, a refetched table is read from the start (live rows, and tombstones newer
 * than the old cursor); the other tables go on from the old cursor.
 */
function boundsOf(plan: Plan, type: PullType): Bounds {
  if (!plan.reset) return { after: plan.after }
  const refetched = plan.reset.what === 'all' || type === 'assignment'
  return refetched ? { after: plan.after, liveAbove: plan.reset.since } : { after: Math.max(plan.after, plan.reset.since) }
}

/**
 * A first pull (a phone with nothing) sends what the member needs first before the rest
 * (issue 19): on a village link the whole library takes minutes, and the assigned course should
 * be readable while the rest still arrives. Each phase sends the live rows of its sources up to
 * the version the first page saw (`top`), in version order; later changes follow the last phase
 * as an ordinary pull from `top`. Rows deleted before `top` are not sent: the phone never had them.
 */
const FIRST_PULL: { type: PullType; assigned?: Bounds['assigned'] }[][] = [
  // Assigned courses with their lessons, and the assignments that say so.
  [{ type: 'assignment' }, { type: 'course', assigned: 'only' }, { type: 'lesson', assigned: 'only' }],
  // The pocket book and quizzes (with their questions: a quiz is answered offline).
  [{ type: 'pocketCategory' }, { type: 'pocketEntry' }, { type: 'quiz' }, { type: 'question' }],
  // The rest of the library.
  [{ type: 'course', assigned: 'not' }, { type: 'lesson', assigned: 'not' }],
]

const sourceOf = (type: PullType) => SOURCES.find((s) => s.type === type)!

/** How many rows a first pull up to `top` sends: a progress hint for the phone (one count per table). */
async function countFirstPull(db: Kysely<Database>, scope: PullScope, top: number): Promise<number> {
  const scoped: ScopedTable[] = ['course', 'lesson', 'pocket_category', 'pocket_entry', 'question', 'quiz']
  const live = { after: 0, upTo: top, liveAbove: top }
  let n = 0
  for (const table of scoped) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(inBounds(live, table))
      .where('org_unit_id', 'in', scope.orgUnitIds)
      .executeTakeFirstOrThrow()
    n += Number(row.n)
  }
  const units = await forTheirUnits(db.selectFrom('assignment').select((eb) => eb.fn.countAll<number>().as('n')).where(inBounds(live, 'assignment')), scope).executeTakeFirstOrThrow()
  const named = await db
    .selectFrom('assignment_person')
    .innerJoin('assignment', 'assignment.id', 'assignment_person.assignment_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assignment_person.person_id', '=', scope.personId)
    .where(inBounds(live, 'assignment'))
    .executeTakeFirstOrThrow()
  return n + Number(units.n) + Number(named.n)
}

/** One page of a first pull: fills the page phase after phase. */
async function firstPullPage(
  db: Kysely<Database>,
  scope: PullScope,
  at: Extract<PullCursor, { kind: 'first' }>,
  limit: number,
  newest: number,
): Promise<PullResponse> {
  const changes: PullChange[] = []
  let { phase, pos } = at
  while (phase < FIRST_PULL.length && changes.length < limit) {
    const room = limit - changes.length
    const rows: PullChange[] = []
    for (const { type, assigned } of FIRST_PULL[phase]!) {
      rows.push(...(await sourceOf(type).read(db, scope, { after: pos, upTo: at.top, liveAbove: at.top, assigned }, room)))
    }
    rows.sort((a, b) => a.version - b.version)
    changes.push(...rows.slice(0, room))
    if (rows.length > room) pos = rows[room - 1]!.version
    else [phase, pos] = [phase + 1, 0]
  }
  const done = at.done + changes.length
  if (phase < FIRST_PULL.length) {
    // A row sent twice (its assignment changed mid-pull) may take `done` past the estimate.
    const total = Math.max(at.total, done + 1)
    return { changes, cursor: encodePullCursor({ ...at, phase, pos, done, total }), more: true, progress: { done, total } }
  }
  // Changes made since the first page follow at once as an ordinary pull.
  return { changes, cursor: encodePullCursor({ kind: 'at', version: at.top, scope: scope.token }), more: newest > at.top, progress: { done, total: done } }
}

/**
 * One page, read with the queries in turn: call it inside a snapshot (readPullPage). `newest`
 * is the snapshot's highest pulled version: a last page moves the cursor there, past rows the
 * person may not see, so the next pull finds its cursor at the top and stops at one statement.
 */
export async function pullPage(db: Kysely<Database>, scope: PullScope, cursor: PullCursor, limit: number, newest = 0): Promise<PullResponse> {
  if (scope.orgUnitIds.length === 0) return { changes: [], cursor: encodePullCursor({ kind: 'at', version: 0, scope: scope.token }), more: false }
  if (cursor.kind === 'start' && newest > 0) {
    const total = await countFirstPull(db, scope, newest)
    return firstPullPage(db, scope, { kind: 'first', phase: 0, pos: 0, top: newest, done: 0, total, scope: scope.token }, limit, newest)
  }
  if (cursor.kind === 'first' && !resetNeeded(cursor.scope, scope.token)) return firstPullPage(db, scope, cursor, limit, newest)
  const plan = planFor(cursor, scope.token)
  // Each table gives at most limit+1 rows; merged by version, the first `limit` are the page
  // and anything beyond says another page waits.
  const all: PullChange[] = []
  for (const source of SOURCES) all.push(...(await source.read(db, scope, boundsOf(plan, source.type), limit)))
  all.sort((a, b) => a.version - b.version)
  const changes = all.slice(0, limit)
  const more = all.length > limit
  const last = changes.at(-1)?.version ?? plan.after
  // Every row of the snapshot up to `newest` that the person may see is in this page or before it.
  const top = more ? last : Math.max(last, newest)
  if (!plan.reset) return { changes, cursor: encodePullCursor({ kind: 'at', version: top, scope: scope.token }), more }
  const { what, since, begins } = plan.reset
  const reset = { types: what === 'all' ? ALL_TYPES : (['assignment'] as PullType[]), begins }
  // The last page of a reset has sent everything of this snapshot above the bounds: the phone
  // now holds the snapshot, at least up to the old cursor.
  const next = more
    ? encodePullCursor({ kind: 'reset', pos: last, since, what, scope: scope.token })
    : encodePullCursor({ kind: 'at', version: Math.max(top, since), scope: scope.token })
  return { changes, cursor: next, more, reset }
}

/**
 * One page for the person, scope and rows read from ONE snapshot: PostgreSQL gives each
 * statement outside a transaction its own, so a write committing between two of them would put
 * rows on the wrong side of the cursor for ever. As versions are given in commit order
 * (db/version.ts), nothing committed later can carry a version at or below the page's.
 *
 * The common pull, a phone that has everything, is answered by one statement (`lookAround`, its
 * own snapshot) with no transaction: same scope and a cursor at or above the newest version
 * means nothing to send. Otherwise the page is read in a transaction: REPEATABLE READ READ ONLY
 * holds one snapshot on one connection (and never fails for serialization); on SQLite the read
 * transaction does the same in WAL mode against writers in other processes.
 * With a `deviceId`, the same snapshot tells when that device's pull was last written down
 * (null: never), so a pull of a device seen recently needs no other connection and no write.
 */
export async function readPullPage(
  db: Kysely<Database>,
  personId: string,
  cursor: PullCursor,
  limit: number,
  now: number,
  deviceId?: string,
): Promise<{ page: PullResponse; deviceSeenAt: number | null }> {
  const quick = await lookAround(db, personId, now, deviceId)
  if (cursor.kind === 'at' && quick.scope.orgUnitIds.length > 0 && !resetNeeded(cursor.scope, quick.scope.token) && cursor.version >= quick.newest) {
    return { page: { changes: [], cursor: encodePullCursor(cursor), more: false }, deviceSeenAt: quick.deviceSeenAt }
  }
  const tx = db.transaction()
  return (isPostgres(db as Kysely<unknown>) ? tx.setIsolationLevel('repeatable read').setAccessMode('read only') : tx).execute(async (trx) => {
    const look = await lookAround(trx, personId, now, deviceId)
    return { page: await pullPage(trx, look.scope, cursor, limit, look.newest), deviceSeenAt: look.deviceSeenAt }
  })
}

/**
 * A device's pull is written down at most this often. Phones pull every few minutes and in pages;
 * "last synced" in reports is read in hours and days, so most pulls write nothing at all.
 */
export const PULL_TOUCH_MS = 5 * 60_000

export const pullTouchDue = (seenAt: number | null, now: number) => seenAt === null || now - seenAt >= PULL_TOUCH_MS

/**
 * A device pulled: it is in contact even when its outbox is empty (and so never pushes). Its
 * owner's freshness (and placement and assigned courses, which change without any write they make:
 * no longer "newly joined", a course's lesson count) is marked for the report fold. The update's
 * own condition keeps two pages of one pull from both writing.
 */
export async function recordPull(db: Kysely<Database>, personId: string, deviceId: string, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const touched = await trx
      .insertInto('sync_device')
      .values({ person_id: personId, device_id: deviceId, last_pull_at: now, last_push_at: null })
      .onConflict((oc) =>
        oc
          .columns(['person_id', 'device_id'])
          .doUpdateSet({ last_pull_at: now })
          .where((eb) => eb.or([eb('sync_device.last_pull_at', 'is', null), eb('sync_device.last_pull_at', '<=', now - PULL_TOUCH_MS)])),
      )
      .returning('person_id')
      .executeTakeFirst()
    if (touched) await markReports(trx, [personId], [], now)
  })
}
