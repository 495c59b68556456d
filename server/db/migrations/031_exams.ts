/**
 * Exams 考核 (issue 17, part 1). Quizzes are for learning and their answers go to phones on
 * purpose (migration 005); an exam must not. So a question bank can be marked `exam: true` in
 * the content: its questions (`question.exam_only`) and the quizzes drawn from them
 * (`quiz.exam_only`) are never pulled, and only such a quiz can be made an exam.
 *
 * `exam`: a secretary (or above) gives an exam-only quiz to a unit with a window, a number of
 * attempts, a time limit and a number of questions drawn per person. Each person's paper is
 * derived from (`seed`, person id), so it is the same on every request and needs no table.
 * `exam_attempt`: one row per (exam, person, attempt number), scored on the server; the same
 * score also goes into `quiz_attempt`, so retraining 复训 and the archive follow the rule they
 * already have for quizzes.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['question', 'quiz']) {
    await db.schema.alterTable(table).addColumn('exam_only', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  }

  await db.schema
    .createTable('exam')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('quiz_id', 'text', (c) => c.notNull())
    .addColumn('quiz_version', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('opens_at', 'bigint', (c) => c.notNull())
    .addColumn('closes_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts_allowed', 'integer', (c) => c.notNull())
    .addColumn('time_limit_minutes', 'integer', (c) => c.notNull())
    .addColumn('question_count', 'integer', (c) => c.notNull())
    .addColumn('pass_mark', 'integer', (c) => c.notNull())
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // Members list the exams of their unit and its ancestors; leaders list a unit's exams newest first.
  await db.schema.createIndex('exam_unit_idx').on('exam').columns(['org_unit_id', 'closes_at']).execute()

  await db.schema
    .createTable('exam_attempt')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exam.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('exam_attempt_once', ['exam_id', 'person_id', 'attempt_no'])
    .execute()
  // A person's own attempts (their data export) without scanning every exam's.
  await db.schema.createIndex('exam_attempt_person_idx').on('exam_attempt').column('person_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exam_attempt').execute()
  await db.schema.dropTable('exam').execute()
  for (const table of ['quiz', 'question']) {
    await db.schema.alterTable(table).dropColumn('exam_only').execute()
  }
}
