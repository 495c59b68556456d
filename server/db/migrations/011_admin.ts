/**
 * People and organisation administration (issue 8): retiring units, searching people, the
 * lecturer pool 师资库 with requests from branches, and audit entries filed under the org unit
 * they concern so supervisors read their subtree's log with a range scan (a moved unit carries
 * its entries along: see moveUnit).
 *
 * Name/phone search is a prefix range in byte order: SQLite compares text with BINARY; on
 * PostgreSQL the indexes and queries use COLLATE "C" so the range is the same on any database
 * collation (a linguistic collation does not keep prefixes together).
 */
import { sql, type Kysely } from 'kysely'
import { isPostgres } from './helpers.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('org_unit').addColumn('retired_at', 'bigint').execute()

  const collateC = isPostgres(db) ? sql` collate "C"` : sql``
  await sql`create index person_name_search_idx on person (name${collateC}, id)`.execute(db)
  // phone already has a unique index; PostgreSQL needs a "C" one for the prefix range.
  if (isPostgres(db)) await sql`create index person_phone_search_idx on person (phone collate "C")`.execute(db)

  await db.schema.alterTable('audit_log').addColumn('org_path', 'text').execute()
  await db.schema.createIndex('audit_log_path_idx').on('audit_log').columns(['org_path', 'id']).execute()
  await db.schema.createIndex('audit_log_person_idx').on('audit_log').columns(['person_id', 'id']).execute()

  await db.schema
    .createTable('lecturer')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    /** JSON string array */
    .addColumn('topics', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    // The unit whose whole subtree the lecturer serves (its level: district, township, …).
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('retired_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lecturer_org_name_idx').on('lecturer').columns(['org_unit_id', 'name', 'id']).execute()

  await db.schema
    .createTable('lecturer_request')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('lecturer_id', 'text', (c) => c.notNull().references('lecturer.id'))
    // The requesting unit (a branch); both inboxes join through org_unit's path index.
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('meeting_at', 'bigint', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lecturer_request_lecturer_idx').on('lecturer_request').columns(['lecturer_id', 'created_at']).execute()
  await db.schema.createIndex('lecturer_request_org_idx').on('lecturer_request').columns(['org_unit_id', 'created_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('lecturer_request').execute()
  await db.schema.dropTable('lecturer').execute()
  await db.schema.dropIndex('audit_log_person_idx').execute()
  await db.schema.dropIndex('audit_log_path_idx').execute()
  await db.schema.alterTable('audit_log').dropColumn('org_path').execute()
  if (isPostgres(db)) await db.schema.dropIndex('person_phone_search_idx').execute()
  await db.schema.dropIndex('person_name_search_idx').execute()
  await db.schema.alterTable('org_unit').dropColumn('retired_at').execute()
}
