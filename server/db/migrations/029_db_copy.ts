import type { Kysely } from 'kysely'

/**
 * `npm run db:copy` (SQLite → PostgreSQL, server/db/copy.ts) keeps its progress here, in the
 * target: one row per table copied (written in the same transaction as the table's rows, so a
 * row here means the table is complete), and the row `@complete` written last, after every
 * table was verified. A database with rows here but no `@complete` holds an unfinished copy:
 * the server refuses to start on it and db:copy resumes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('db_copy')
    .addColumn('table_name', 'text', (c) => c.primaryKey())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('db_copy').execute()
}
