import { randomBytes } from 'node:crypto'
import type { Insertable, Kysely } from 'kysely'
import type { Draft, StudioItem, StudioItemSummary, StudioKind, StudioVersion } from '../../../src/protocol/studio.ts'
import type { Database, StudioItemTable } from '../../db/database.ts'
import { ApiError } from '../../shared/errors.ts'
import { encodeKey } from '../admin/access.ts'

/** Ids of published studio rows: `s-` and 16 hex digits, within the content id pattern and apart from file ids in practice. */
export const newContentId = () => `s-${randomBytes(8).toString('hex')}`

/** A new draft's row: revision 1, nothing submitted or published yet, written by `by`. */
export function newDraftRow(id: string, draft: Draft, orgUnitId: string, by: string, now: number, contentId = newContentId()): Insertable<StudioItemTable> {
  return {
    id,
    kind: draft.type,
    content_id: contentId,
    org_unit_id: orgUnitId,
    title: draft.title,
    draft: JSON.stringify(draft),
    revision: 1,
    status: 'draft',
    submitted_by: null,
    reject_reason: null,
    published_version: null,
    unpublished: 0,
    created_by: by,
    updated_by: by,
    updated_at: now,
  }
}

function items(db: Kysely<Database>) {
  return db
    .selectFrom('studio_item as i')
    .innerJoin('person as u', 'u.id', 'i.updated_by')
    .leftJoin('person as s', 's.id', 'i.submitted_by')
    .innerJoin('org_unit', 'org_unit.id', 'i.org_unit_id')
    .selectAll('i')
    .select(['u.name as updated_by_name', 's.name as submitted_by_name', 'org_unit.path'])
}
export type ItemRow = NonNullable<Awaited<ReturnType<ReturnType<typeof items>['executeTakeFirst']>>>

export function findItem(db: Kysely<Database>, id: string): Promise<ItemRow | undefined> {
  return items(db).where('i.id', '=', id).executeTakeFirst()
}

export function toSummary(r: ItemRow): StudioItemSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    orgUnitId: r.org_unit_id,
    status: r.status,
    publishedVersion: r.published_version,
    unpublished: r.unpublished === 1,
    updatedAt: Number(r.updated_at),
    updatedByName: r.updated_by_name,
  }
}

export function toItem(r: ItemRow, extra: Pick<StudioItem, 'problems' | 'canReview'>): StudioItem {
  return {
    ...toSummary(r),
    contentId: r.content_id,
    draft: JSON.parse(r.draft) as Draft,
    revision: r.revision,
    submittedByName: r.submitted_by_name,
    rejectReason: r.reject_reason,
    ...extra,
  }
}

/** A unit's items of one kind, last edited first (studio_item_unit_idx). */
export async function listItems(db: Kysely<Database>, orgUnitId: string, kind: StudioKind, limit: number, after?: [number, string]) {
  let query = items(db)
    .where('i.org_unit_id', '=', orgUnitId)
    .where('i.kind', '=', kind)
    .orderBy('i.updated_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit + 1)
  if (after) {
    const [at, id] = after
    query = query.where((eb) => eb.or([eb('i.updated_at', '<', at), eb.and([eb('i.updated_at', '=', at), eb('i.id', '<', id)])]))
  }
  const rows = await query.execute()
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { items: page.map(toSummary), next: rows.length > limit && last ? encodeKey([Number(last.updated_at), last.id]) : null }
}

/**
 * Gives new lessons (of a course) and questions (of a bank) their ids. An id the client sends
 * must be one this item already has: ids are the server's, so a draft cannot take over another
 * course's lesson or another bank's question.
 */
export function withPartIds(draft: Draft, previous: Draft | null, field: string): Draft {
  if (draft.type !== 'course' && draft.type !== 'question_bank') return draft
  const key = draft.type === 'course' ? 'lessons' : 'questions'
  const before = previous?.type === draft.type ? (previous.type === 'course' ? previous.lessons : (previous as typeof draft & { type: 'question_bank' }).questions) : []
  const known = new Set(before.map((l) => l.id))
  const seen = new Set<string>()
  const parts = (draft.type === 'course' ? draft.lessons : draft.questions).map((l: { id?: string }, i: number) => {
    if (l.id !== undefined && (!known.has(l.id) || seen.has(l.id))) {
      throw new ApiError(400, 'VALIDATION', `${field}.${key}.${i}.id is not one of this item's ${key}`, `${field}.${key}.${i}.id`)
    }
    const id = l.id ?? newContentId()
    seen.add(id)
    return { ...l, id }
  })
  return { ...draft, [key]: parts } as Draft
}

/** The body of the published version, or null when nothing is published. */
export async function publishedBody(db: Kysely<Database>, r: Pick<ItemRow, 'id' | 'published_version'>): Promise<{ number: number; body: Draft } | null> {
  if (r.published_version === null) return null
  const v = await db.selectFrom('studio_version').select(['number', 'body']).where('item_id', '=', r.id).where('number', '=', r.published_version).executeTakeFirstOrThrow()
  return { number: v.number, body: JSON.parse(v.body) as Draft }
}

export async function listVersions(db: Kysely<Database>, r: Pick<ItemRow, 'id' | 'published_version' | 'unpublished'>): Promise<StudioVersion[]> {
  const rows = await db
    .selectFrom('studio_version as v')
    .innerJoin('person as e', 'e.id', 'v.edited_by')
    .innerJoin('person as a', 'a.id', 'v.approved_by')
    .select(['v.number', 'v.action', 'v.rolled_back_from', 'v.published_at', 'e.name as edited', 'a.name as approved'])
    .where('v.item_id', '=', r.id)
    .orderBy('v.number', 'desc')
    // The newest hundred: a history longer than that is rolled back to from a package, not from this list.
    .limit(100)
    .execute()
  return rows.map((v) => ({
    number: v.number,
    action: v.action,
    rolledBackFrom: v.rolled_back_from,
    editedByName: v.edited,
    approvedByName: v.approved,
    publishedAt: Number(v.published_at),
    current: v.number === r.published_version && r.unpublished === 0,
  }))
}
