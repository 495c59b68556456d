/**
 * Reports as an asynchronous projection (issue 14). A push no longer recomputes report summaries
 * in its own transaction (that held person, group and unit rows locked until commit and cost most
 * of a push); it inserts one `report_mark` per person whose figures it may have changed (and per
 * unit where it created a meeting), in the same transaction as its records. A worker folds the
 * marks into the summaries in batches (reportFold.ts) and deletes exactly the marks it folded in
 * the transaction that writes the recomputed summaries, so a worker that dies mid-batch loses
 * nothing: the marks are still there for the next one.
 *
 * A row per change, not per person: the worker deletes the ids it read, so a mark that arrives
 * while it recomputes (a change it may not have seen) stays for the next fold. `marked_at` is
 * indexed because reports say how current they are: as of the oldest mark still waiting.
 */
import type { Kysely } from 'kysely'
import { autoIncrementKey } from './helpers.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_mark')
    .addColumn('id', 'integer', autoIncrementKey(db))
    .addColumn('person_id', 'text')
    // A unit whose meetings changed (a meeting created by a push): its meetings-held rows.
    .addColumn('org_unit_id', 'text')
    .addColumn('marked_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('report_mark_time_idx').on('report_mark').columns(['marked_at', 'id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('report_mark').execute()
}
