/**
 * 好的进教材: the reads behind the case routes and what an author's agreement writes into the
 * studio. Plain functions taking `db` first (the consent kind passes its push transaction).
 */
import type { Kysely } from 'kysely'
import type { CaseProposal } from '../../../src/protocol/cases.ts'
import type { Draft } from '../../../src/protocol/studio.ts'
import type { Database } from '../../db/database.ts'
import { allows, type Grant } from '../../shared/authz.ts'
import { encodeKey } from '../admin/access.ts'
import { opensStudio } from '../studio/studio.access.ts'
import { newContentId, newDraftRow } from '../studio/studio.repository.ts'

/** Who may propose a case from a group into a unit's studio: its secretary and up, or an editor of the unit. */
export const mayPropose = (grants: Grant[], groupPath: string, unitPath: string) =>
  allows(grants, groupPath, 'secretary') || grants.some((g) => opensStudio(g) && unitPath.startsWith(g.path))

/** Could these grants propose anything at all (a secretary and up, or a studio user)? Spares the queries for everyone else. */
export const proposesCases = (grants: Grant[]) => grants.some((g) => opensStudio(g) || allows([g], g.path, 'secretary'))

/**
 * The studio units (districts and townships) above the groups at `groupPaths` into which the
 * grants may propose, by group path: one query over the paths' ancestors.
 */
export async function caseUnitsAbove(db: Kysely<Database>, grants: Grant[], groupPaths: string[]): Promise<Map<string, { id: string; name: string; path: string }[]>> {
  const out = new Map<string, { id: string; name: string; path: string }[]>()
  const ancestors = [...new Set(groupPaths.flatMap((p) => p.split('/').filter(Boolean)))]
  if (ancestors.length === 0) return out
  const units = await db.selectFrom('org_unit').select(['id', 'name', 'path']).where('id', 'in', ancestors).where('kind', 'in', ['district', 'township']).orderBy('path').execute()
  for (const path of new Set(groupPaths)) out.set(path, units.filter((u) => path.startsWith(u.path) && mayPropose(grants, path, u.path)))
  return out
}

function proposals(db: Kysely<Database>) {
  return db
    .selectFrom('case_proposal as c')
    .innerJoin('reflection as r', 'r.id', 'c.reflection_id')
    .innerJoin('person as a', 'a.id', 'c.author_id')
    .innerJoin('org_unit as b', 'b.id', 'r.branch_id')
    .innerJoin('person as p', 'p.id', 'c.proposed_by')
    .innerJoin('org_unit as u', 'u.id', 'c.org_unit_id')
    .leftJoin('studio_item as s', 's.id', 'c.course_item_id')
    .leftJoin('pocket_category as k', 'k.id', 'c.category')
    .selectAll('c')
    .select(['r.text', 'a.name as author_name', 'b.name as branch_name', 'p.name as proposed_by_name', 'u.name as unit_name', 'u.path as unit_path', 's.title as course_title', 'k.title as category_title'])
}
export type ProposalRow = NonNullable<Awaited<ReturnType<ReturnType<typeof proposals>['executeTakeFirst']>>>

export function findProposal(db: Kysely<Database>, id: string): Promise<ProposalRow | undefined> {
  return proposals(db).where('c.id', '=', id).executeTakeFirst()
}

export async function findProposals(db: Kysely<Database>, ids: string[]): Promise<Map<string, ProposalRow>> {
  if (ids.length === 0) return new Map()
  const rows = await proposals(db).where('c.id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export function toProposal(r: ProposalRow): CaseProposal {
  return {
    id: r.id,
    reflectionId: r.reflection_id,
    text: r.text,
    authorName: r.author_name,
    branchName: r.branch_name,
    proposedByName: r.proposed_by_name,
    unitName: r.unit_name,
    target: r.target,
    targetTitle: (r.target === 'lesson' ? r.course_title : r.category_title) ?? '',
    title: r.title,
    note: r.note,
    status: r.status,
    showName: r.show_name === null ? null : r.show_name === 1,
    createdAt: Number(r.created_at),
    answeredAt: r.answered_at === null ? null : Number(r.answered_at),
    draftItemId: r.draft_item_id,
  }
}

/** A page of proposals, newest first: an author's own (case_proposal_author_idx) or a unit's (case_proposal_unit_idx). */
export async function listProposals(db: Kysely<Database>, by: { authorId: string } | { orgUnitId: string }, limit: number, after?: [number, string]) {
  let q = proposals(db)
  q = 'authorId' in by ? q.where('c.author_id', '=', by.authorId) : q.where('c.org_unit_id', '=', by.orgUnitId)
  if (after) {
    const [at, id] = after
    q = q.where('c.created_at', '<=', at).where((eb) => eb.or([eb('c.created_at', '<', at), eb('c.id', '<', id)]))
  }
  const rows = await q.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: page.map(toProposal), next: rows.length > limit && last ? encodeKey([Number(last.created_at), last.id]) : null }
}

/**
 * The case as studio text: the author's words, then where they come from. The branch is always
 * named (the case is its practice); the author's name only if they chose to be named.
 */
export function caseBody(r: Pick<ProposalRow, 'text' | 'author_name' | 'branch_name'>, showName: boolean): string {
  const source = showName ? `${r.branch_name} ${r.author_name}` : `${r.branch_name}的一名党员`
  return `${r.text.trim()}\n\n*案例来源：${source}（经作者同意收录）*\n`
}

/** Reading time of a case lesson: about 300 characters a minute, at least one (the lesson rule). */
const minutesOf = (text: string) => Math.max(1, Math.ceil([...text].length / 300))

/**
 * Puts an agreed case into the studio: a new lesson at the end of the course's draft, or a new
 * pocket-entry item. Either is a draft like any other (status `draft`, edited by the proposer),
 * so it still needs submitting and a second person's approval before any phone sees it. Adding
 * to a course bumps its revision, so an editor with the course open is told (409) rather than
 * overwriting it; a submitted course goes back to draft, as any edit does. Returns the item id.
 */
export async function draftCase(trx: Kysely<Database>, r: ProposalRow, showName: boolean, now: number): Promise<string> {
  const body = caseBody(r, showName)
  if (r.target === 'lesson' && r.course_item_id) {
    const item = await trx.selectFrom('studio_item').select(['draft', 'revision']).where('id', '=', r.course_item_id).executeTakeFirstOrThrow()
    const draft = JSON.parse(item.draft) as Draft
    if (draft.type !== 'course') throw new Error(`studio item ${r.course_item_id} is not a course`)
    draft.lessons.push({ id: newContentId(), title: r.title, minutes: minutesOf(r.text), body, audio: null })
    await trx
      .updateTable('studio_item')
      .set({ draft: JSON.stringify(draft), revision: item.revision + 1, status: 'draft', submitted_by: null, updated_by: r.proposed_by, updated_at: now })
      .where('id', '=', r.course_item_id)
      .execute()
    return r.course_item_id
  }
  const id = crypto.randomUUID()
  const draft: Draft = { type: 'pocket_entry', title: r.title, category: r.category ?? '', tags: ['案例'], body }
  await trx.insertInto('studio_item').values(newDraftRow(id, draft, r.org_unit_id, r.proposed_by, now)).execute()
  return id
}
