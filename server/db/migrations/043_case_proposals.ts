/**
 * 好的进教材 (issue 15): a leader or editor proposes an excellent reflection as a case for a
 * studio course (a new lesson) or the pocket book (a new entry). The author answers on their
 * phone (push kind `case_consent`); only on agreement does the text enter the target's studio
 * draft, with attribution. One proposal per reflection, ever: a refusal ends it for good, so an
 * author who said no is not asked again.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_proposal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reflection_id', 'text', (c) => c.notNull().unique().references('reflection.id'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('proposed_by', 'text', (c) => c.notNull().references('person.id'))
    /** The studio unit the case is for (a district or township above the author's group). */
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    // lesson (a new lesson of `course_item_id`) | pocket_entry (a new entry in `category`)
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('course_item_id', 'text', (c) => c.references('studio_item.id'))
    .addColumn('category', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    // asked | agreed | refused
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('show_name', 'integer')
    .addColumn('answered_at', 'bigint')
    /** The studio item the agreed text went into. */
    .addColumn('draft_item_id', 'text', (c) => c.references('studio_item.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // The author's cards, newest first; a unit's proposals for its editors.
  await db.schema.createIndex('case_proposal_author_idx').on('case_proposal').columns(['author_id', 'created_at', 'id']).execute()
  await db.schema.createIndex('case_proposal_unit_idx').on('case_proposal').columns(['org_unit_id', 'created_at', 'id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_proposal').execute()
}
