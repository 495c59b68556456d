/**
 * The rest of the course studio (issue 15): question banks, the unit's own categories, lecturers.
 *
 * `course_category`: a unit's specialty categories 特色课分类 (besides the six theme categories),
 * made by its editors; a course of the unit or a unit below may pick one. Phones get the title
 * on the course row (`course.category_title`), so no new pulled table is needed.
 * `course.lecturer_id`: the pool lecturer a studio course names, for the lecturer's page
 * (`course_lecturer_idx`). `question_bank_idx`: a quiz drawing from a studio bank, and a bank
 * publish, read the bank's questions by `bank_id`.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('course_category')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // One title once per unit; the studio lists a unit's categories by title.
  await db.schema.createIndex('course_category_unit_idx').on('course_category').columns(['org_unit_id', 'title']).unique().execute()
  await db.schema.alterTable('course').addColumn('category_title', 'text').execute()
  await db.schema.alterTable('course').addColumn('lecturer_id', 'text').execute()
  await db.schema.createIndex('course_lecturer_idx').on('course').columns(['lecturer_id', 'title', 'id']).execute()
  await db.schema.createIndex('question_bank_idx').on('question').columns(['bank_id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('question_bank_idx').execute()
  await db.schema.dropIndex('course_lecturer_idx').execute()
  await db.schema.alterTable('course').dropColumn('lecturer_id').execute()
  await db.schema.alterTable('course').dropColumn('category_title').execute()
  await db.schema.dropTable('course_category').execute()
}
