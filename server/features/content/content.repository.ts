import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { nextVersion, nextVersions } from '../../db/version.ts'
import type { ParsedContent } from './content.parse.ts'

export interface ImportSummary {
  inserted: number
  updated: number
  deleted: number
  unchanged: number
}

type ContentTable = 'course' | 'lesson' | 'pocket_category' | 'pocket_entry' | 'question' | 'quiz'

/** Rows per INSERT: well under SQLite's 32,766 bound parameters at ~13 columns a row. */
const INSERT_BATCH = 500

/** The organisation unit imported content is scoped to: the root of the tree (the district). */
export async function rootOrgUnit(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('org_unit').select('id').where('parent_id', 'is', null).orderBy('created_at').executeTakeFirst()
  return row?.id
}

export async function hasContent(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('course').select('id').limit(1).executeTakeFirst()) !== undefined
}

/**
 * Brings one table in line with the parsed files: new rows are inserted, rows whose hash changed
 * (or that come back after a deletion) are updated, rows with no file become tombstones. Only
 * those get a new version, so the next pull carries exactly what changed.
 */
async function syncTable<R extends { id: string; content_hash: string }>(
  trx: Transaction<Database>,
  table: ContentTable,
  rows: R[],
  orgUnitId: string,
  now: number,
  summary: ImportSummary,
): Promise<void> {
  // Rows the course studio published are the studio's: a file import neither updates nor deletes them.
  const studio = trx.selectFrom('studio_item').select('content_id')
  const existing = await trx
    .selectFrom(table)
    .select(['id', 'content_hash', 'deleted_at'])
    .$if(table === 'course' || table === 'pocket_entry' || table === 'quiz', (q) => q.where('id', 'not in', studio))
    .$if(table === 'lesson', (q) => q.where(sql.ref('course_id'), 'not in', studio))
    .$if(table === 'question', (q) => q.where(sql.ref('bank_id'), 'not in', studio))
    .execute()
  const byId = new Map(existing.map((e) => [e.id, e]))
  const fresh = rows.filter((r) => !byId.has(r.id))
  // New rows (a first import is all new) get their versions in one call and go in in batches.
  const versions = await nextVersions(trx, fresh.length)
  for (let i = 0; i < fresh.length; i += INSERT_BATCH) {
    const batch = fresh.slice(i, i + INSERT_BATCH).map((row, j) => ({
      ...row,
      org_unit_id: orgUnitId,
      version: versions[i + j]!,
      published_at: now,
      deleted_at: null,
    }))
    await trx.insertInto(table).values(batch as never).execute()
  }
  summary.inserted += fresh.length
  for (const row of rows) {
    const old = byId.get(row.id)
    byId.delete(row.id)
    if (!old) {
      continue
    } else if (old.content_hash !== row.content_hash || old.deleted_at !== null) {
      const values = { ...row, version: await nextVersion(trx), published_at: now, deleted_at: null }
      await trx.updateTable(table).set(values as never).where('id', '=', row.id).execute()
      summary.updated++
    } else {
      summary.unchanged++
    }
  }
  for (const gone of byId.values()) {
    if (gone.deleted_at !== null) continue
    await trx
      .updateTable(table)
      .set({ deleted_at: now, version: await nextVersion(trx) } as never)
      .where('id', '=', gone.id)
      .execute()
    summary.deleted++
  }
}

/** Applies a parsed content/ folder in one transaction: all of it or nothing. */
export async function applyContent(
  db: Kysely<Database>,
  content: ParsedContent,
  { orgUnitId, now = Date.now() }: { orgUnitId: string; now?: number },
): Promise<ImportSummary> {
  const summary: ImportSummary = { inserted: 0, updated: 0, deleted: 0, unchanged: 0 }
  await db.transaction().execute(async (trx) => {
    await syncTable(trx, 'pocket_category', content.categories, orgUnitId, now, summary)
    await syncTable(trx, 'course', content.courses, orgUnitId, now, summary)
    await syncTable(trx, 'lesson', content.lessons, orgUnitId, now, summary)
    await syncTable(trx, 'pocket_entry', content.entries, orgUnitId, now, summary)
    await syncTable(trx, 'question', content.questions, orgUnitId, now, summary)
    await syncTable(
      trx,
      'quiz',
      content.quizzes.map(({ candidates: _, ...row }) => row),
      orgUnitId,
      now,
      summary,
    )
    await snapshotQuizzes(trx, content.quizzes)
  })
  return summary
}

/**
 * Keeps what each quiz version could ask, answers included, so an attempt made offline against
 * an older version is scored against what the member saw (migration 005). A version already
 * snapshotted is left alone.
 */
async function snapshotQuizzes(trx: Transaction<Database>, quizzes: ParsedContent['quizzes']): Promise<void> {
  const rows = await trx.selectFrom('quiz').select(['id', 'version']).where('deleted_at', 'is', null).execute()
  const version = new Map(rows.map((r) => [r.id, Number(r.version)]))
  for (const quiz of quizzes) {
    await trx
      .insertInto('quiz_snapshot')
      .values({ quiz_id: quiz.id, version: version.get(quiz.id)!, selection: quiz.selection, pass_mark: quiz.pass_mark, questions: JSON.stringify(quiz.candidates) })
      .onConflict((oc) => oc.columns(['quiz_id', 'version']).doNothing())
      .execute()
  }
}

/** Demo assignments so "assigned courses first" has something to show on a fresh database. */
export async function assignDemoCourses(db: Kysely<Database>, orgUnitId: string, now = Date.now()): Promise<void> {
  const demo = [
    { id: 'demo-assign-three-meetings', course_id: 'three-meetings-one-lesson', due_at: now + 30 * 86_400_000 },
    { id: 'demo-assign-constitution', course_id: 'constitution-basics', due_at: now + 60 * 86_400_000 },
  ]
  await db.transaction().execute(async (trx) => {
    for (const a of demo) {
      const exists = await trx.selectFrom('assignment').select('id').where('id', '=', a.id).executeTakeFirst()
      if (exists) continue
      await trx
        .insertInto('assignment')
        .values({ ...a, org_unit_id: orgUnitId, version: await nextVersion(trx), published_at: now, deleted_at: null, content_hash: '' })
        .execute()
    }
  })
}
