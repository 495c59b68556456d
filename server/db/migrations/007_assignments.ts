/**
 * Assignments of a course OR a quiz (issues 6 and 8), to an org unit (everyone under it,
 * optionally only one member group) or to named people, with a due date and who set it.
 *
 * `assignment` is rebuilt: 003 made `course_id` NOT NULL and SQLite cannot drop that, so the
 * rows are copied into the new shape (one SQL path for both databases; the table is small).
 * `org_unit_id` stays the scope: for a unit target it is the unit whose members get it, for
 * named people the unit the secretary assigned from (authorisation and listing use it).
 *
 * Pull filters per person in SQL: unit targets by (org_unit_id, version) for the person's unit
 * and its ancestors, named people by `assignment_person` (person_id first).
 */
import { sql, type Kysely } from 'kysely'
import { syncColumns } from './helpers.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await syncColumns(
    db.schema
      .createTable('assignment_v7')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('course_id', 'text')
      .addColumn('quiz_id', 'text')
      .addColumn('due_at', 'bigint')
      .addColumn('target', 'text', (c) => c.notNull().defaultTo('unit'))
      .addColumn('member_group', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull().defaultTo(0)),
  ).execute()
  await sql`insert into assignment_v7 (id, course_id, due_at, org_unit_id, version, published_at, deleted_at, content_hash, created_at)
    select id, course_id, due_at, org_unit_id, version, published_at, deleted_at, content_hash, published_at from assignment`.execute(db)
  await db.schema.dropTable('assignment').execute()
  await db.schema.alterTable('assignment_v7').renameTo('assignment').execute()
  await db.schema.createIndex('assignment_version_idx').on('assignment').column('version').execute()
  // Pull (unit targets of a person's ancestors, by version) and the secretaries' list.
  await db.schema.createIndex('assignment_scope_idx').on('assignment').columns(['org_unit_id', 'version']).execute()

  await db.schema
    .createTable('assignment_person')
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addPrimaryKeyConstraint('assignment_person_pk', ['person_id', 'assignment_id'])
    .execute()
  await db.schema.createIndex('assignment_person_assignment_idx').on('assignment_person').columns(['assignment_id', 'person_id']).execute()

  // Member groups of differentiated training: newly joined (by date) and committee members.
  await db.schema.alterTable('person').addColumn('joined_party_at', 'bigint').execute()
  await db.schema.alterTable('person').addColumn('is_committee', 'integer', (c) => c.notNull().defaultTo(0)).execute()

  // Course completion of an assigned course per person (leaders' list).
  await db.schema.createIndex('study_event_person_course_idx').on('study_event').columns(['person_id', 'course_id', 'kind']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('study_event_person_course_idx').execute()
  await db.schema.alterTable('person').dropColumn('is_committee').execute()
  await db.schema.alterTable('person').dropColumn('joined_party_at').execute()
  await db.schema.dropTable('assignment_person').execute()
  await syncColumns(
    db.schema
      .createTable('assignment_v3')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('course_id', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint'),
  ).execute()
  await sql`insert into assignment_v3 (id, course_id, due_at, org_unit_id, version, published_at, deleted_at, content_hash)
    select id, course_id, due_at, org_unit_id, version, published_at, deleted_at, content_hash from assignment
    where course_id is not null and target = 'unit' and member_group is null`.execute(db)
  await db.schema.dropTable('assignment').execute()
  await db.schema.alterTable('assignment_v3').renameTo('assignment').execute()
  await db.schema.createIndex('assignment_version_idx').on('assignment').column('version').execute()
}
