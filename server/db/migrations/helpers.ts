import { PostgresAdapter, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely'

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** An auto-numbered primary key: SQLite's rowid alias, PostgreSQL's identity column. */
export function autoIncrementKey(db: Kysely<unknown>) {
  return (c: ColumnDefinitionBuilder) =>
    isPostgres(db) ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()
}

/**
 * Columns every table that phones pull carries: its org scope, the sync version, publication
 * and tombstone times, and the content hash that keeps an unchanged re-import at its version.
 * Shipped migrations call this: never change it, add a new migration instead.
 */
export function syncColumns(t: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> {
  return t
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('content_hash', 'text', (c) => c.notNull())
}
