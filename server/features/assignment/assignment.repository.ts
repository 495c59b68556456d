/**
 * Assignments (migration 007): what secretaries set, and the leaders' list of how their people
 * did. Retraining 复训 is computed here from quiz_attempt, the truth: a person whose LATEST
 * attempt at the assigned quiz failed is flagged; a later pass clears it (docs/assignments.md).
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely'
import { NEW_MEMBER_MONTHS, type AssignmentCreate, type AssignmentResultRow, type AssignmentView, type MemberGroup } from '../../../src/protocol/assignment.ts'
import type { AssignmentTable, Database, PersonTable } from '../../db/database.ts'
import { nextVersion } from '../../db/version.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { decodeCursor, encodeCursor } from '../org/org.repository.ts'

const MONTH_MS = 30.44 * 86_400_000

/** Joined at or after this time = "newly joined". */
export const newMemberSince = (now: number) => now - NEW_MEMBER_MONTHS * MONTH_MS

/** The member groups a person is in, by their flags (differentiated training). */
export function memberGroupsOf(
  p: Pick<Selectable<PersonTable>, 'is_flowing' | 'is_elderly' | 'is_committee' | 'joined_party_at'>,
  now: number,
): MemberGroup[] {
  const groups: MemberGroup[] = []
  if (p.is_flowing === 1) groups.push('flowing')
  if (p.is_elderly === 1) groups.push('elderly')
  if (p.joined_party_at !== null && p.joined_party_at >= newMemberSince(now)) groups.push('new')
  if (p.is_committee === 1) groups.push('committee')
  return groups
}

/** The SQL twin of `memberGroupsOf`: a person (in a query over `person`) is in the group. */
export function inMemberGroup(eb: ExpressionBuilder<Database, 'person'>, group: MemberGroup, now: number): Expression<SqlBool> {
  switch (group) {
    case 'flowing':
      return eb('person.is_flowing', '=', 1)
    case 'elderly':
      return eb('person.is_elderly', '=', 1)
    case 'committee':
      return eb('person.is_committee', '=', 1)
    case 'new':
      return eb('person.joined_party_at', '>=', newMemberSince(now))
  }
}

export type AssignmentRow = Selectable<AssignmentTable> & { unit_path: string }

export async function findAssignment(db: Kysely<Database>, id: string): Promise<AssignmentRow | undefined> {
  return db
    .selectFrom('assignment')
    .innerJoin('org_unit', 'org_unit.id', 'assignment.org_unit_id')
    .selectAll('assignment')
    .select('org_unit.path as unit_path')
    .where('assignment.id', '=', id)
    .executeTakeFirst()
}

/** Whether the course or quiz exists, is live, and is visible in the unit (scoped to it or above). */
export async function contentVisibleIn(db: Kysely<Database>, kind: 'course' | 'quiz', id: string, unitPath: string): Promise<boolean> {
  const row = await db.selectFrom(kind).select('org_unit_id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return !!row && unitPath.includes(`/${row.org_unit_id}/`)
}

/** How many of the ids are active people under the unit (each must be, for a "people" target). */
export async function countPeopleUnder(db: Kysely<Database>, ids: string[], unitPath: string): Promise<number> {
  const row = await db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('person.id', 'in', ids)
    .where('person.status', '=', 'active')
    .where('org_unit.path', '>=', unitPath)
    .where('org_unit.path', '<', subtreeEnd(unitPath))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Inserts the assignment with a new sync version, so the next pull carries it to phones. Call in a transaction. */
export async function insertAssignment(trx: Transaction<Database>, body: AssignmentCreate, createdBy: string, now: number): Promise<void> {
  await trx
    .insertInto('assignment')
    .values({
      id: body.id,
      course_id: body.contentKind === 'course' ? body.contentId : null,
      quiz_id: body.contentKind === 'quiz' ? body.contentId : null,
      due_at: body.dueAt,
      target: body.personIds ? 'people' : 'unit',
      member_group: body.memberGroup ?? null,
      created_by: createdBy,
      created_at: now,
      org_unit_id: body.orgUnitId,
      version: await nextVersion(trx),
      published_at: now,
      deleted_at: null,
      content_hash: '',
    })
    .execute()
  if (body.personIds) {
    await trx.insertInto('assignment_person').values(body.personIds.map((person_id) => ({ assignment_id: body.id, person_id }))).execute()
  }
}

/** Cancelling leaves a tombstone with a new version: phones drop the assignment on their next pull. Call in a transaction. */
export async function cancelAssignment(trx: Transaction<Database>, id: string, now: number): Promise<void> {
  await trx.updateTable('assignment').set({ deleted_at: now, version: await nextVersion(trx) }).where('id', '=', id).execute()
}

/**
 * Everyone a course assignment reaches (named people, or the active members under its unit), whose
 * report figures count it; none for a quiz. Call in the transaction that changed it.
 */
export async function peopleReachedByCourse(trx: Transaction<Database>, id: string): Promise<string[]> {
  const a = await findAssignment(trx, id)
  if (!a?.course_id) return []
  const rows =
    a.target === 'people'
      ? await trx.selectFrom('assignment_person').select('person_id as id').where('assignment_id', '=', id).execute()
      : await trx
          .selectFrom('person')
          .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
          .select('person.id')
          .where('org_unit.path', '>=', a.unit_path)
          .where('org_unit.path', '<', subtreeEnd(a.unit_path))
          .where('person.status', '=', 'active')
          .execute()
  return rows.map((r) => r.id)
}

function views(db: Kysely<Database>) {
  return db
    .selectFrom('assignment')
    .innerJoin('org_unit', 'org_unit.id', 'assignment.org_unit_id')
    .leftJoin('course', 'course.id', 'assignment.course_id')
    .leftJoin('quiz', 'quiz.id', 'assignment.quiz_id')
    .leftJoin('person', 'person.id', 'assignment.created_by')
    .select((eb) => [
      'assignment.id',
      'assignment.course_id',
      'assignment.quiz_id',
      'assignment.org_unit_id',
      'assignment.target',
      'assignment.member_group',
      'assignment.due_at',
      'assignment.created_at',
      'org_unit.name as unit_name',
      'org_unit.path as unit_path',
      'course.title as course_title',
      'quiz.title as quiz_title',
      'person.name as created_by_name',
      eb
        .selectFrom('assignment_person')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('assignment_person.assignment_id', '=', 'assignment.id')
        .as('person_count'),
    ])
}
type ViewRow = Awaited<ReturnType<ReturnType<typeof views>['execute']>>[number]

/** `canCancel` answers for the viewer: pass their grants' test, or false. */
function toView(r: ViewRow, canCancel: (unitPath: string) => boolean = () => false): AssignmentView {
  return {
    id: r.id,
    contentKind: r.quiz_id ? 'quiz' : 'course',
    contentId: (r.quiz_id ?? r.course_id)!,
    contentTitle: r.quiz_title ?? r.course_title ?? '',
    orgUnitId: r.org_unit_id,
    orgUnitName: r.unit_name,
    target: r.target,
    memberGroup: r.member_group,
    personCount: Number(r.person_count ?? 0),
    dueAt: r.due_at,
    createdByName: r.created_by_name,
    createdAt: r.created_at,
    canCancel: canCancel(r.unit_path),
  }
}

export async function assignmentView(db: Kysely<Database>, id: string, canCancel?: (unitPath: string) => boolean): Promise<AssignmentView | undefined> {
  const row = await views(db).where('assignment.id', '=', id).executeTakeFirst()
  return row && toView(row, canCancel)
}

/**
 * Live assignments that concern a unit, newest first: set on it or anywhere below it, or on a
 * unit above it (what its members were given from higher up).
 */
export async function listAssignments(
  db: Kysely<Database>,
  unitPath: string,
  limit: number,
  after: [string, string] | undefined,
  canCancel: (unitPath: string) => boolean,
) {
  const ancestors = unitPath.split('/').filter(Boolean)
  let query = views(db)
    .where('assignment.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('org_unit.path', '>=', unitPath), eb('org_unit.path', '<', subtreeEnd(unitPath))]),
        eb('assignment.org_unit_id', 'in', ancestors),
      ]),
    )
    .orderBy('assignment.created_at', 'desc')
    .orderBy('assignment.id', 'desc')
    .limit(limit + 1)
  if (after) {
    const [at, id] = [Number(after[0]), after[1]]
    query = query.where((eb) =>
      eb.or([eb('assignment.created_at', '<', at), eb.and([eb('assignment.created_at', '=', at), eb('assignment.id', '<', id)])]),
    )
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit).map((r) => toView(r, canCancel))
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor(String(last.createdAt), last.id) : null }
}

export { decodeCursor }

/**
 * The people an assignment targets inside `path` (the deeper of the assignment's unit and the
 * viewer's unit), with their latest quiz attempt or completed lessons as correlated subqueries
 * (quiz_attempt_person_idx, study_event_person_course_idx).
 */
function targetedPeople(db: Kysely<Database>, a: AssignmentRow, path: string, now: number) {
  let q = db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .where('org_unit.path', '>=', path)
    .where('org_unit.path', '<', subtreeEnd(path))
    .where('person.status', '=', 'active')
  if (a.target === 'people') {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('assignment_person')
          .select('assignment_person.person_id')
          .whereRef('assignment_person.person_id', '=', 'person.id')
          .where('assignment_person.assignment_id', '=', a.id),
      ),
    )
  }
  const group = a.member_group
  if (group) q = q.where((eb) => inMemberGroup(eb, group, now))
  return q.select((eb) => {
    const latest = (column: 'score' | 'passed') =>
      eb
        .selectFrom('quiz_attempt')
        .select(`quiz_attempt.${column}`)
        .whereRef('quiz_attempt.person_id', '=', 'person.id')
        .where('quiz_attempt.quiz_id', '=', a.quiz_id ?? '')
        .orderBy('quiz_attempt.created_at', 'desc')
        .orderBy('quiz_attempt.id', 'desc')
        .limit(1)
    return [
      'person.id',
      'person.name',
      'org_unit.name as unit_name',
      eb
        .selectFrom('quiz_attempt')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('quiz_attempt.person_id', '=', 'person.id')
        .where('quiz_attempt.quiz_id', '=', a.quiz_id ?? '')
        .as('attempts'),
      latest('score').as('last_score'),
      latest('passed').as('last_passed'),
      eb
        .selectFrom('study_event')
        .select((e) => e.fn.count<number>('study_event.lesson_id').distinct().as('n'))
        .whereRef('study_event.person_id', '=', 'person.id')
        .where('study_event.course_id', '=', a.course_id ?? '')
        .where('study_event.kind', '=', 'completed')
        .as('lessons_completed'),
    ] as const
  })
}

export async function assignmentResults(
  db: Kysely<Database>,
  a: AssignmentRow,
  path: string,
  limit: number,
  after: [string, string] | undefined,
  now = Date.now(),
) {
  const lessonsTotal = a.course_id
    ? Number(
        (await db
          .selectFrom('lesson')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('course_id', '=', a.course_id)
          .where('deleted_at', 'is', null)
          .executeTakeFirstOrThrow()).n,
      )
    : 0
  let page = targetedPeople(db, a, path, now).orderBy('person.name').orderBy('person.id').limit(limit + 1)
  if (after) {
    const [name, id] = after
    page = page.where((eb) => eb.or([eb('person.name', '>', name), eb.and([eb('person.name', '=', name), eb('person.id', '>', id)])]))
  }
  const [rows, totals] = await Promise.all([
    page.execute(),
    db
      .selectFrom(targetedPeople(db, a, path, now).as('t'))
      .select((eb) => [
        eb.fn.countAll<number>().as('targeted'),
        eb.fn.count<number>('t.last_passed').as('taken'),
        eb.fn.sum<number>('t.last_passed').as('passed'),
        sql<number>`sum(case when t.lessons_completed >= ${lessonsTotal} then 1 else 0 end)`.as('completed'),
      ])
      .executeTakeFirstOrThrow(),
  ])
  const items: AssignmentResultRow[] = rows.slice(0, limit).map((r) => {
    const passed = r.last_passed === null || r.last_passed === undefined ? null : Number(r.last_passed) === 1
    return {
      personId: r.id,
      name: r.name,
      orgUnitName: r.unit_name,
      attempts: Number(r.attempts ?? 0),
      lastScore: r.last_score === null || r.last_score === undefined ? null : Number(r.last_score),
      passed,
      retraining: passed === false,
      lessonsCompleted: Number(r.lessons_completed ?? 0),
    }
  })
  const last = items[items.length - 1]
  const taken = Number(totals.taken ?? 0)
  const passed = Number(totals.passed ?? 0)
  const summary = a.quiz_id
    ? { targeted: Number(totals.targeted), done: taken, passed, retraining: taken - passed, lessonsTotal }
    : { targeted: Number(totals.targeted), done: lessonsTotal > 0 ? Number(totals.completed ?? 0) : 0, passed: 0, retraining: 0, lessonsTotal }
  return { summary, items, next: rows.length > limit && last ? encodeCursor(last.name, last.personId) : null }
}
