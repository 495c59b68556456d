/**
 * Question quality off the request path: `refreshItemStats` rebuilds `item_stat` (migration 038)
 * from every `quiz_attempt` (practice and exam attempts alike; exam scores are copied there),
 * each answer judged against the quiz version's snapshot, the one the attempt was scored by. It
 * is a projection: dropping the table and running it again gives the same rows.
 *
 * Exactly one instance computes at a time. PostgreSQL: the whole rebuild is one transaction that
 * first takes a transaction-scoped advisory lock (keyed by schema, as the report folder does); an
 * instance that does not get it skips this round. Its long read does not block writers (MVCC).
 * SQLite: one process with one connection; attempts are read in pages outside any transaction, so
 * requests interleave between pages, and only the rewrite of `item_stat` is one short transaction.
 */
import { sql, type Kysely } from 'kysely'
import type { ItemStatRow, ItemStatsPage } from '../../../src/protocol/itemStats.ts'
import { isRight, type Scorable } from '../../../src/protocol/quiz.scoring.ts'
import type { Database } from '../../db/database.ts'
import { isPostgres } from '../../db/migrations/helpers.ts'
import { encodeCursor } from '../org/org.repository.ts'
import { FLAG_DISCRIMINATION_BELOW, FLAG_EASY_ABOVE, FLAG_HARD_BELOW, ItemTally, itemStat, type ItemStat } from './itemStats.compute.ts'

const PAGE = 5000
const INSERT_CHUNK = 500

/** Every attempt, page by page (keyset on id), into one tally per question. */
async function tallyAttempts(db: Kysely<Database>): Promise<{ tallies: Map<string, ItemTally>; attempts: number }> {
  const snapshots = new Map<string, Map<string, Scorable>>()
  for (const s of await db.selectFrom('quiz_snapshot').select(['quiz_id', 'version', 'questions']).execute()) {
    snapshots.set(`${s.quiz_id}@${Number(s.version)}`, new Map((JSON.parse(s.questions) as Scorable[]).map((q) => [q.id, q])))
  }
  const tallies = new Map<string, ItemTally>()
  let attempts = 0
  let after = ''
  for (;;) {
    const rows = await db.selectFrom('quiz_attempt').select(['id', 'quiz_id', 'quiz_version', 'answers', 'score']).where('id', '>', after).orderBy('id').limit(PAGE).execute()
    for (const row of rows) {
      const questions = snapshots.get(`${row.quiz_id}@${Number(row.quiz_version)}`)
      if (!questions) continue
      attempts++
      for (const a of JSON.parse(row.answers) as { questionId: string; answer: string[] }[]) {
        const q = questions.get(a.questionId)
        if (!q) continue
        let tally = tallies.get(q.id)
        if (!tally) tallies.set(q.id, (tally = new ItemTally()))
        tally.add(Number(row.score), isRight(q, a.answer))
      }
    }
    if (rows.length < PAGE) return { tallies, attempts }
    after = rows.at(-1)!.id
  }
}

async function rewrite(trx: Kysely<Database>, stats: ItemStat[], now: number): Promise<void> {
  await trx.deleteFrom('item_stat').execute()
  for (let i = 0; i < stats.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('item_stat')
      .values(
        stats.slice(i, i + INSERT_CHUNK).map((s) => ({
          question_id: s.questionId,
          attempts: s.attempts,
          difficulty: s.difficulty,
          discrimination: s.discrimination,
          flagged: s.flagged ? 1 : 0,
          computed_at: now,
        })),
      )
      .execute()
  }
}

async function compute(db: Kysely<Database>): Promise<{ stats: ItemStat[]; attempts: number }> {
  const { tallies, attempts } = await tallyAttempts(db)
  const stats = [...tallies].flatMap(([id, tally]) => itemStat(id, tally) ?? [])
  return { stats, attempts }
}

/** Rebuilds `item_stat`. Returns the counts, or 'busy' when another instance is computing (PostgreSQL). */
export async function refreshItemStats(db: Kysely<Database>, now = Date.now()): Promise<{ attempts: number; questions: number } | 'busy'> {
  if (isPostgres(db as Kysely<unknown>)) {
    return db.transaction().execute(async (trx) => {
      const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext('item_stat')) as ok`.execute(trx)
      if (!lock.rows[0]?.ok) return 'busy'
      const { stats, attempts } = await compute(trx)
      await rewrite(trx, stats, now)
      return { attempts, questions: stats.length }
    })
  }
  const { stats, attempts } = await compute(db)
  await db.transaction().execute((trx) => rewrite(trx, stats, now))
  return { attempts, questions: stats.length }
}

/** Why a question is flagged, as codes the screen translates. */
function reasons(s: { difficulty: number; discrimination: number }): ItemStatRow['reasons'] {
  const out: ItemStatRow['reasons'] = []
  if (s.discrimination < 0) out.push('negative')
  else if (s.discrimination < FLAG_DISCRIMINATION_BELOW) out.push('lowDiscrimination')
  if (s.difficulty > FLAG_EASY_ABOVE) out.push('tooEasy')
  if (s.difficulty < FLAG_HARD_BELOW) out.push('tooHard')
  return out
}

/** One page of flagged questions, lowest discrimination first, with their stems. */
export async function flaggedItems(db: Kysely<Database>, limit: number, after?: [number, string]): Promise<ItemStatsPage> {
  let q = db
    .selectFrom('item_stat')
    .innerJoin('question', 'question.id', 'item_stat.question_id')
    .select(['item_stat.question_id', 'item_stat.attempts', 'item_stat.difficulty', 'item_stat.discrimination', 'question.stem', 'question.bank_id'])
    .where('item_stat.flagged', '=', 1)
    .orderBy('item_stat.discrimination')
    .orderBy('item_stat.question_id')
    .limit(limit + 1)
  if (after) {
    const [disc, id] = after
    q = q.where((eb) => eb.or([eb('item_stat.discrimination', '>', disc), eb.and([eb('item_stat.discrimination', '=', disc), eb('item_stat.question_id', '>', id)])]))
  }
  const rows = await q.execute()
  const items = rows.slice(0, limit).map(
    (r): ItemStatRow => ({
      questionId: r.question_id,
      bankId: r.bank_id,
      stem: r.stem,
      attempts: Number(r.attempts),
      difficulty: Number(r.difficulty),
      discrimination: Number(r.discrimination),
      reasons: reasons({ difficulty: Number(r.difficulty), discrimination: Number(r.discrimination) }),
    }),
  )
  const last = rows[limit - 1]
  const computed = await db.selectFrom('item_stat').select((eb) => eb.fn.max('computed_at').as('at')).executeTakeFirst()
  return {
    items,
    computedAt: computed?.at == null ? null : Number(computed.at),
    next: rows.length > limit && last ? encodeCursor(String(Number(last.discrimination)), last.question_id) : null,
  }
}
