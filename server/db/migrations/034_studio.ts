/**
 * Course studio 课件工作室 (issue 15). An editor writes a draft for a unit; a second person
 * approves it; each approval is a numbered version. Published content still lives in the tables
 * phones pull (course, lesson, pocket_entry …), scoped to the draft's unit, so the pull needs no
 * change; these tables are the studio's own side.
 *
 * `studio_item`: one per course / pocket entry made in the studio. `content_id` is the id of its
 * published row (fixed at creation, so every version replaces the same row and a phone keeps its
 * progress). `draft` is the JSON being edited and `revision` is bumped on each save: a save names
 * the revision it started from, and a stale one is refused (optimistic concurrency).
 * `studio_version`: every publish (and rollback) as it was published, with who approved it.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('studio_item')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_id', 'text', (c) => c.notNull().unique())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('draft', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    // draft | submitted | rejected | published (the draft equals the published version)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.references('person.id'))
    .addColumn('reject_reason', 'text')
    .addColumn('published_version', 'integer')
    .addColumn('unpublished', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('updated_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  // The studio lists a unit's items of one kind, most recently edited first, a page at a time.
  await db.schema.createIndex('studio_item_unit_idx').on('studio_item').columns(['org_unit_id', 'kind', 'updated_at']).execute()

  await db.schema
    .createTable('studio_version')
    .addColumn('item_id', 'text', (c) => c.notNull().references('studio_item.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('edited_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('approved_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    // publish | rollback (then rolled_back_from names the version copied)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('rolled_back_from', 'integer')
    .addPrimaryKeyConstraint('studio_version_pk', ['item_id', 'number'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('studio_version').execute()
  await db.schema.dropTable('studio_item').execute()
}
