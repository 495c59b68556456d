/**
 * Study reflections 晒心得: the reads behind the feed and stats routes and the lookups the four
 * outbox kinds share. Plain functions taking `db` first (a push batch passes its transaction).
 */
import { sql, type Kysely } from 'kysely'
import { REPLIES_SHOWN } from '../../../src/protocol/reflections.limits.ts'
import type { GroupStats, Reflection, ReflectionReply } from '../../../src/protocol/reflections.ts'
import type { Database } from '../../db/database.ts'
import { allows, subtreeEnd, type Grant } from '../../shared/authz.ts'
import { caseUnitsAbove, proposesCases } from '../cases/cases.repository.ts'

export interface UnitRef {
  id: string
  path: string
  kind: string
  parent_id: string | null
}

/** The branch whose "excellent" list a unit's reflections join: a group's parent, else the unit itself. */
export const branchOf = (unit: UnitRef): string => (unit.kind === 'group' && unit.parent_id ? unit.parent_id : unit.id)

export async function findUnit(db: Kysely<Database>, id: string): Promise<UnitRef | undefined> {
  return db.selectFrom('org_unit').select(['id', 'path', 'kind', 'parent_id']).where('id', '=', id).executeTakeFirst()
}

/** The unit a person belongs to (their party group). */
export async function unitOfPerson(db: Kysely<Database>, personId: string): Promise<UnitRef | undefined> {
  return db
    .selectFrom('person')
    .innerJoin('org_unit', 'org_unit.id', 'person.org_unit_id')
    .select(['org_unit.id', 'org_unit.path', 'org_unit.kind', 'org_unit.parent_id'])
    .where('person.id', '=', personId)
    .executeTakeFirst()
}

export interface ReflectionRef {
  id: string
  person_id: string
  org_unit_id: string
  status: 'normal' | 'excellent' | 'hidden'
  /** The group's path, for leaders' subtree rights. */
  path: string
}

export async function findReflections(db: Kysely<Database>, ids: string[]): Promise<Map<string, ReflectionRef>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('reflection')
    .innerJoin('org_unit', 'org_unit.id', 'reflection.org_unit_id')
    .select(['reflection.id', 'reflection.person_id', 'reflection.org_unit_id', 'reflection.status', 'org_unit.path'])
    .where('reflection.id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

/**
 * Who may take part in a reflection's conversation (read, reply, like): members of its group and
 * leaders whose subtree holds the group. Hidden reflections: only the author and those leaders.
 */
export function canSee(ref: ReflectionRef, viewer: { personId: string; unitId: string | undefined; grants: Grant[] }): boolean {
  if (ref.person_id === viewer.personId || allows(viewer.grants, ref.path, 'group_leader')) return true
  return ref.status !== 'hidden' && ref.org_unit_id === viewer.unitId
}

/** Excellent reflections are for the branch: everyone in it, and everyone holding a role at or above it. */
export function readsBranch(ownPath: string | undefined, grants: Grant[], branchPath: string): boolean {
  return !!ownPath?.startsWith(branchPath) || grants.some((g) => branchPath.startsWith(g.path))
}

export interface Viewer {
  personId: string
  grants: Grant[]
}

/** One group's feed (`withHidden` for its leaders) or a branch's excellent list. */
type FeedFilter = { groupId: string; withHidden: boolean } | { branchId: string }

/** A page of a feed, newest first by arrival; keyset cursor "receivedAt_id". */
export async function feedPage(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: FeedFilter,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: Reflection[]; next: string | null }> {
  let q = db
    .selectFrom('reflection')
    .innerJoin('person', 'person.id', 'reflection.person_id')
    .innerJoin('org_unit', 'org_unit.id', 'reflection.org_unit_id')
    .leftJoin('lesson', 'lesson.id', 'reflection.lesson_id')
    .select([
      'reflection.id',
      'reflection.person_id',
      'person.name as person_name',
      'reflection.org_unit_id',
      'org_unit.name as group_name',
      'org_unit.path',
      'reflection.lesson_id',
      'reflection.course_id',
      'lesson.title as lesson_title',
      'reflection.text',
      'reflection.photo_count',
      'reflection.status',
      'reflection.reason',
      'reflection.received_at',
      'reflection.review_id',
    ])
    .select((eb) => [
      eb.selectFrom('reflection_like').select(eb.fn.countAll<number>().as('n')).whereRef('reflection_like.reflection_id', '=', 'reflection.id').as('like_count'),
      eb
        .selectFrom('reflection_like')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('reflection_like.reflection_id', '=', 'reflection.id')
        .where('reflection_like.person_id', '=', viewer.personId)
        .as('liked'),
      eb.selectFrom('reflection_reply').select(eb.fn.countAll<number>().as('n')).whereRef('reflection_reply.reflection_id', '=', 'reflection.id').as('reply_count'),
    ])
  if ('groupId' in filter) {
    q = q.where('reflection.org_unit_id', '=', filter.groupId)
    // Hidden ones reach only their author and the group's leaders.
    if (!filter.withHidden) q = q.where((eb) => eb.or([eb('reflection.status', '!=', 'hidden'), eb('reflection.person_id', '=', viewer.personId)]))
  } else {
    q = q.where('reflection.branch_id', '=', filter.branchId).where('reflection.status', '=', 'excellent')
  }
  if (cursor) {
    const [at, id] = cursor.split('_') as [string, string]
    // The plain `<=` bound lets the index range-scan; the OR only breaks ties within one millisecond.
    q = q
      .where('reflection.received_at', '<=', Number(at))
      .where((eb) => eb.or([eb('reflection.received_at', '<', Number(at)), eb('reflection.id', '<', id)]))
  }
  const rows = await q.orderBy('reflection.received_at', 'desc').orderBy('reflection.id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const replies = await latestReplies(db, page.map((r) => r.id))
  const cases = await caseInfo(db, viewer, page.filter((r) => r.status === 'excellent'))
  const items = page.map((r): Reflection => {
    const canReview = r.person_id !== viewer.personId && allows(viewer.grants, r.path, 'group_leader')
    const own = r.person_id === viewer.personId
    return {
      id: r.id,
      personId: r.person_id,
      personName: r.person_name,
      orgUnitId: r.org_unit_id,
      groupName: r.group_name,
      lessonId: r.lesson_id,
      courseId: r.course_id,
      lessonTitle: r.lesson_title ?? null,
      text: r.text,
      photoCount: Number(r.photo_count),
      status: r.status,
      reason: own || canReview ? r.reason : null,
      likeCount: Number(r.like_count ?? 0),
      likedByMe: Number(r.liked ?? 0) > 0,
      replyCount: Number(r.reply_count ?? 0),
      replies: replies.get(r.id) ?? [],
      receivedAt: Number(r.received_at),
      canReview,
      reviewId: r.review_id,
      ...cases.get(r.id),
    }
  })
  const last = page.at(-1)
  return { items, next: rows.length > limit && last ? `${Number(last.received_at)}_${last.id}` : null }
}

/**
 * 好的进教材: for the excellent reflections of a page, whether the viewer may propose each as a
 * case and where an existing proposal stands (only to those who may propose). Two queries, and
 * none for viewers who could never propose.
 */
async function caseInfo(db: Kysely<Database>, viewer: Viewer, rows: { id: string; path: string }[]): Promise<Map<string, Pick<Reflection, 'mayProposeCase' | 'caseStatus'>>> {
  const out = new Map<string, Pick<Reflection, 'mayProposeCase' | 'caseStatus'>>()
  if (rows.length === 0 || !proposesCases(viewer.grants)) return out
  const units = await caseUnitsAbove(db, viewer.grants, rows.map((r) => r.path))
  const open = rows.filter((r) => (units.get(r.path) ?? []).length > 0)
  if (open.length === 0) return out
  const taken = await db.selectFrom('case_proposal').select(['reflection_id', 'status']).where('reflection_id', 'in', open.map((r) => r.id)).execute()
  const status = new Map(taken.map((t) => [t.reflection_id, t.status]))
  for (const r of open) out.set(r.id, { mayProposeCase: true, caseStatus: status.get(r.id) ?? null })
  return out
}

/** The latest REPLIES_SHOWN replies of each reflection, oldest first. */
async function latestReplies(db: Kysely<Database>, ids: string[]): Promise<Map<string, ReflectionReply[]>> {
  const out = new Map<string, ReflectionReply[]>()
  if (ids.length === 0) return out
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('reflection_reply')
        .innerJoin('person', 'person.id', 'reflection_reply.person_id')
        .select([
          'reflection_reply.id',
          'reflection_reply.reflection_id',
          'reflection_reply.person_id',
          'person.name as person_name',
          'reflection_reply.text',
          'reflection_reply.received_at',
          sql<number>`row_number() over (partition by reflection_reply.reflection_id order by reflection_reply.received_at desc, reflection_reply.id desc)`.as('rn'),
        ])
        .where('reflection_reply.reflection_id', 'in', ids)
        .as('r'),
    )
    .selectAll()
    .where('rn', '<=', REPLIES_SHOWN)
    .orderBy('received_at', 'asc')
    .orderBy('id', 'asc')
    .execute()
  for (const r of rows) {
    const list = out.get(r.reflection_id) ?? []
    list.push({ id: r.id, personId: r.person_id, personName: r.person_name, text: r.text, receivedAt: Number(r.received_at) })
    out.set(r.reflection_id, list)
  }
  return out
}

export async function reflectionPhotos(db: Kysely<Database>, id: string): Promise<string[]> {
  const rows = await db.selectFrom('reflection_photo').select('data').where('reflection_id', '=', id).orderBy('n').execute()
  return rows.map((r) => r.data)
}

/** Month "YYYY-MM" in China time (UTC+8, no daylight saving) as [start, end) epoch ms. */
export function monthRange(month: string): [number, number] {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const offset = 8 * 60 * 60 * 1000
  return [Date.UTC(y, m - 1, 1) - offset, Date.UTC(y, m, 1) - offset]
}

const STATS_PAGE = 200

/** Per party group in a subtree: reflections that arrived in the month, paged by group path. */
export async function groupStats(
  db: Kysely<Database>,
  path: string,
  month: string,
  cursor: string | undefined,
): Promise<{ items: GroupStats[]; next: string | null }> {
  const [from, to] = monthRange(month)
  let groups = db
    .selectFrom('org_unit as g')
    .leftJoin('org_unit as parent', 'parent.id', 'g.parent_id')
    .select(['g.id', 'g.name', 'g.path', 'parent.name as parent_name'])
    .where('g.kind', '=', 'group')
    .where('g.path', '>=', path)
    .where('g.path', '<', subtreeEnd(path))
  if (cursor) groups = groups.where('g.path', '>', cursor)
  const units = await groups.orderBy('g.path').limit(STATS_PAGE + 1).execute()
  const page = units.slice(0, STATS_PAGE)
  const counts =
    page.length === 0
      ? []
      : await db
          .selectFrom('reflection')
          .select((eb) => [
            'reflection.org_unit_id',
            eb.fn.countAll<number>().as('posts'),
            eb.fn.count<number>('reflection.person_id').distinct().as('authors'),
            eb.fn.sum<number>(eb.case().when('reflection.status', '=', 'excellent').then(1).else(0).end()).as('excellent'),
            eb.fn.sum<number>(eb.case().when('reflection.status', '=', 'hidden').then(1).else(0).end()).as('hidden'),
          ])
          .where('reflection.org_unit_id', 'in', page.map((u) => u.id))
          .where('reflection.received_at', '>=', from)
          .where('reflection.received_at', '<', to)
          .groupBy('reflection.org_unit_id')
          .execute()
  const byUnit = new Map(counts.map((c) => [c.org_unit_id, c]))
  const items = page.map((u): GroupStats => {
    const c = byUnit.get(u.id)
    return {
      orgUnitId: u.id,
      name: u.name,
      parentName: u.parent_name ?? '',
      posts: Number(c?.posts ?? 0),
      authors: Number(c?.authors ?? 0),
      excellent: Number(c?.excellent ?? 0),
      hidden: Number(c?.hidden ?? 0),
    }
  })
  return { items, next: units.length > STATS_PAGE ? page.at(-1)!.path : null }
}
