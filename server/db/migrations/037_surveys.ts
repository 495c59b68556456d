/**
 * Training-needs surveys 需求调研 (issue 17, part 2; docs/surveys.md).
 *
 * `person.occupation` and `person.birth_year` (both optional): the splits a secretary reads the
 * needs by (occupation category, age band), set by an admin on the person page.
 *
 * `survey`: a short questionnaire sent to a unit (or one member group of it) with a window.
 * `survey_answer`: one row per (survey, person); a later answer replaces it. It keeps a snapshot
 * of the person's unit and groups at the time of answering, so results are grouped by columns of
 * this table alone (no join to 100,000 people), and stay what was said then. Response rates count
 * members where they are now (person ⟕ survey_answer by its primary key).
 * `survey_answer_item`: one row per chosen option or rating (`value`) or text, so each split is
 * one GROUP BY over the index (survey_id, question_id, value).
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('person').addColumn('occupation', 'text').execute()
  await db.schema.alterTable('person').addColumn('birth_year', 'integer').execute()

  await db.schema
    .createTable('survey')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('member_group', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('questions', 'text', (c) => c.notNull())
    .addColumn('anonymous', 'integer', (c) => c.notNull())
    .addColumn('opens_at', 'bigint', (c) => c.notNull())
    .addColumn('closes_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // Members list the surveys of their unit and its ancestors; leaders list a unit's, newest first.
  await db.schema.createIndex('survey_unit_idx').on('survey').columns(['org_unit_id', 'closes_at']).execute()

  await db.schema
    .createTable('survey_answer')
    .addColumn('survey_id', 'text', (c) => c.notNull().references('survey.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('answer_id', 'text', (c) => c.notNull())
    .addColumn('age_band', 'text', (c) => c.notNull())
    .addColumn('is_flowing', 'integer', (c) => c.notNull())
    .addColumn('is_elderly', 'integer', (c) => c.notNull())
    .addColumn('is_new', 'integer', (c) => c.notNull())
    .addColumn('occupation', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_answer_pk', ['survey_id', 'person_id'])
    .execute()
  // A person's own answers (their data export, erasure) without scanning every survey's.
  await db.schema.createIndex('survey_answer_person_idx').on('survey_answer').column('person_id').execute()

  await db.schema
    .createTable('survey_answer_item')
    .addColumn('survey_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('text', 'text')
    // Its place in the answer: every table has a primary key (db:copy pages by it; replication needs one).
    .addColumn('item_no', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_answer_item_pk', ['survey_id', 'person_id', 'item_no'])
    .addForeignKeyConstraint('survey_answer_item_answer_fk', ['survey_id', 'person_id'], 'survey_answer', ['survey_id', 'person_id'])
    .execute()
  await db.schema.createIndex('survey_answer_item_value_idx').on('survey_answer_item').columns(['survey_id', 'question_id', 'value']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('survey_answer_item').execute()
  await db.schema.dropTable('survey_answer').execute()
  await db.schema.dropTable('survey').execute()
  await db.schema.alterTable('person').dropColumn('birth_year').execute()
  await db.schema.alterTable('person').dropColumn('occupation').execute()
}
