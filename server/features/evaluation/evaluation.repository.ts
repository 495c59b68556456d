/**
 * Evaluation figures 教学评估 (docs/quiz.md "Evaluations"): per course and per lecturer, from the
 * ratings of members in a unit's subtree: count, mean and distribution of each rating, and the
 * comments without names. Nothing here returns a person: no name, no id, the day only.
 */
import { sql, type AliasedRawBuilder, type Kysely } from 'kysely'
import type { EvaluationComments, EvaluationSummaries, EvaluationSummary, RatingFigure } from '../../../src/protocol/evaluation.ts'
import type { Database } from '../../db/database.ts'
import { subtreeEnd } from '../../shared/authz.ts'
import { encodeCursor } from '../org/org.repository.ts'

type Column = 'content' | 'usefulness' | 'lecturer'
const STARS = [1, 2, 3, 4, 5]

/** Ratings by members placed in the subtree of `path`. */
function inSubtree(db: Kysely<Database>, path: string) {
  return db
    .selectFrom('evaluation as e')
    .innerJoin('person as p', 'p.id', 'e.person_id')
    .innerJoin('org_unit as u', 'u.id', 'p.org_unit_id')
    .where('u.path', '>=', path)
    .where('u.path', '<', subtreeEnd(path))
}

/** count, sum and one count per star of a rating column, as aliases `<col>_n`, `<col>_sum`, `<col>_<k>`. */
function figureColumns(col: Column): AliasedRawBuilder<number, string>[] {
  const ref = sql.ref(`e.${col}`)
  return [
    sql<number>`count(${ref})`.as(`${col}_n`),
    sql<number>`coalesce(sum(${ref}), 0)`.as(`${col}_sum`),
    ...STARS.map((k) => sql<number>`sum(case when ${ref} = ${k} then 1 else 0 end)`.as(`${col}_${k}`)),
  ]
}

function figure(row: Record<string, unknown>, col: Column): RatingFigure {
  const count = Number(row[`${col}_n`] ?? 0)
  return {
    count,
    mean: count ? Math.round((10 * Number(row[`${col}_sum`])) / count) / 10 : null,
    distribution: STARS.map((k) => Number(row[`${col}_${k}`] ?? 0)),
  }
}

/** One page of courses (by id) or lecturers (by id) with their figures. */
export async function evaluationSummaries(db: Kysely<Database>, path: string, by: 'course' | 'lecturer', limit: number, after?: string): Promise<EvaluationSummaries> {
  const key = by === 'course' ? 'e.target_id' : 'e.lecturer_id'
  let q = inSubtree(db, path)
    .select((eb) => [eb.ref(key).$castTo<string>().as('key'), ...figureColumns('content'), ...figureColumns('usefulness'), ...figureColumns('lecturer')])
    .groupBy(key)
    .orderBy(key)
    .limit(limit + 1)
  q = by === 'course' ? q.where('e.target_kind', '=', 'course') : q.where('e.lecturer_id', 'is not', null)
  if (after !== undefined) q = q.where(key, '>', after)
  const rows = (await q.execute()) as unknown as (Record<string, unknown> & { key: string })[]
  const page = rows.slice(0, limit)
  const ids = page.map((r) => r.key)
  const titles = new Map<string, string>(
    ids.length === 0
      ? []
      : by === 'course'
        ? (await db.selectFrom('course').select(['id', 'title']).where('id', 'in', ids).execute()).map((c) => [c.id, c.title])
        : (await db.selectFrom('lecturer').select(['id', 'name']).where('id', 'in', ids).execute()).map((l) => [l.id, l.name]),
  )
  const items = page.map(
    (r): EvaluationSummary => ({
      kind: by,
      id: r.key,
      title: titles.get(r.key) ?? r.key,
      content: figure(r, 'content'),
      usefulness: figure(r, 'usefulness'),
      lecturer: by === 'lecturer' ? figure(r, 'lecturer') : null,
    }),
  )
  return { items, next: rows.length > limit && page.length ? encodeCursor(page.at(-1)!.key, '') : null }
}

/** The day in China (UTC+8) of a time: comments carry no finer time that could match a person. */
const dayOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)

/** One page of non-empty comments on a course or about a lecturer, newest first, without names. */
export async function evaluationComments(db: Kysely<Database>, path: string, kind: 'course' | 'lecturer', id: string, limit: number, after?: [number, string]): Promise<EvaluationComments> {
  let q = inSubtree(db, path)
    .select(['e.id', 'e.comment', 'e.content', 'e.usefulness', 'e.lecturer', 'e.created_at'])
    .where('e.comment', '<>', '')
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(limit + 1)
  q = kind === 'course' ? q.where('e.target_kind', '=', 'course').where('e.target_id', '=', id) : q.where('e.lecturer_id', '=', id)
  if (after) {
    const [at, eid] = after
    q = q.where((eb) => eb.or([eb('e.created_at', '<', at), eb.and([eb('e.created_at', '=', at), eb('e.id', '<', eid)])]))
  }
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({ comment: r.comment, content: r.content, usefulness: r.usefulness, lecturer: r.lecturer, day: dayOf(Number(r.created_at)) })),
    next: rows.length > limit && last ? encodeCursor(String(Number(last.created_at)), last.id) : null,
  }
}

/** Each lecturer's overall rating (all raters), for the lecturer pool. */
export async function lecturerRatings(db: Kysely<Database>, lecturerIds: string[]): Promise<Map<string, { count: number; mean: number }>> {
  if (lecturerIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('evaluation')
    .select((eb) => ['lecturer_id', eb.fn.count<number>('lecturer').as('n'), eb.fn.avg<number>('lecturer').as('mean')])
    .where('lecturer_id', 'in', lecturerIds)
    .where('lecturer', 'is not', null)
    .groupBy('lecturer_id')
    .execute()
  return new Map(rows.map((r) => [r.lecturer_id!, { count: Number(r.n), mean: Math.round(10 * Number(r.mean)) / 10 }]))
}
