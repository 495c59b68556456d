/**
 * Quizzes 在线知识小测试 (issue 6).
 *
 * `question` and `quiz` are pulled like the rest of the content (one `version` sequence,
 * `deleted_at` tombstones, scoped to an org unit). The question rows include the ANSWER and the
 * explanation on purpose: members take quizzes offline and see their score at once, so the phone
 * must be able to score. Quizzes are for learning, not exams; the server re-scores every
 * submitted attempt and never trusts the phone's score.
 *
 * `quiz_snapshot` keeps, per (quiz, version), the questions that version could contain with their
 * answers at that time. A quiz's version changes whenever the quiz OR one of its questions
 * changes (its content hash covers both), so an attempt made offline against an older version is
 * scored against what the member actually saw, even after the content was re-imported.
 */
import type { Kysely } from 'kysely'
import { syncColumns } from './helpers.ts'

export async function up(db: Kysely<unknown>): Promise<void> {
  await syncColumns(
    db.schema
      .createTable('question')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bank_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('stem', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull())
      .addColumn('explanation', 'text', (c) => c.notNull())
      .addColumn('source_kind', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull()),
  ).execute()

  await syncColumns(
    db.schema
      .createTable('quiz')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('selection', 'text', (c) => c.notNull())
      .addColumn('time_limit_minutes', 'integer')
      .addColumn('pass_mark', 'integer', (c) => c.notNull())
      .addColumn('shuffle_options', 'integer', (c) => c.notNull()),
  ).execute()

  for (const table of ['question', 'quiz']) {
    await db.schema.createIndex(`${table}_version_idx`).on(table).column('version').execute()
  }

  await db.schema
    .createTable('quiz_snapshot')
    .addColumn('quiz_id', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('selection', 'text', (c) => c.notNull())
    .addColumn('pass_mark', 'integer', (c) => c.notNull())
    .addColumn('questions', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('quiz_snapshot_pk', ['quiz_id', 'version'])
    .execute()

  await db.schema
    .createTable('quiz_attempt')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('quiz_id', 'text', (c) => c.notNull())
    .addColumn('quiz_version', 'bigint', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('client_score', 'integer')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('quiz_attempt_person_idx').on('quiz_attempt').columns(['person_id', 'quiz_id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['quiz_attempt', 'quiz_snapshot', 'quiz', 'question']) {
    await db.schema.dropTable(table).execute()
  }
}
