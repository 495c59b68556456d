/**
 * Content the phones cache (courses, lessons, pocket book, assignments). Every row carries a
 * `version` from ONE monotonic sequence shared by all cached tables (see server/db/version.ts)
 * and `deleted_at` for tombstones, so a pull is "everything with version > cursor".
 */
import { sql, type Kysely } from 'kysely'
import { isPostgres, syncColumns } from './helpers.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`create sequence sync_version_seq`.execute(db)
  } else {
    // SQLite has no sequences: a one-row counter bumped inside the writing transaction.
    await db.schema
      .createTable('sync_version_counter')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute()
    await db.insertInto('sync_version_counter' as never).values({ id: 1, value: 0 } as never).execute()
  }

  await syncColumns(
    db.schema
      .createTable('course')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('cover', 'text')
      .addColumn('sort_order', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('media', 'text', (c) => c.notNull()),
  ).execute()

  await syncColumns(
    db.schema
      .createTable('lesson')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('course_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('sort_order', 'integer', (c) => c.notNull())
      .addColumn('minutes', 'integer', (c) => c.notNull())
      .addColumn('audio', 'text')
      .addColumn('body', 'text', (c) => c.notNull()),
  ).execute()

  await syncColumns(
    db.schema
      .createTable('pocket_category')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('sort_order', 'integer', (c) => c.notNull()),
  ).execute()

  await syncColumns(
    db.schema
      .createTable('pocket_entry')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull()),
  ).execute()

  await syncColumns(
    db.schema
      .createTable('assignment')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('course_id', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint'),
  ).execute()

  for (const table of ['course', 'lesson', 'pocket_category', 'pocket_entry', 'assignment']) {
    await db.schema.createIndex(`${table}_version_idx`).on(table).column('version').execute()
  }
  await db.schema.createIndex('lesson_course_idx').on('lesson').columns(['course_id', 'sort_order']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['assignment', 'pocket_entry', 'pocket_category', 'lesson', 'course']) {
    await db.schema.dropTable(table).execute()
  }
  if (isPostgres(db)) await sql`drop sequence sync_version_seq`.execute(db)
  else await db.schema.dropTable('sync_version_counter').execute()
}
