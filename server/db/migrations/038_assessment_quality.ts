/**
 * Assessment and feedback, rest of issue 17 (docs/quiz.md "Exams", "Evaluations", "Question quality").
 *
 * `exam_start`: when the server handed a person their paper for one attempt (server clock). The
 * paper is sent only from that moment, so the time limit can be judged against it.
 * `evaluation`: a member's rating of a course or a meeting (and its lecturer), one row per
 * (person, target): a later rating replaces the earlier one. `meeting.lecturer_id` names the
 * lecturer from the pool who gave a meeting's lesson (null for most meetings).
 * `item_stat`: question quality, a table rebuilt from `quiz_attempt` off the request path.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exam_start')
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exam.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('exam_start_pk', ['exam_id', 'person_id', 'attempt_no'])
    .execute()

  await db.schema.alterTable('meeting').addColumn('lecturer_id', 'text').execute()
  await db.schema
    .createTable('evaluation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    /** The meeting's lecturer at the time of rating (null for courses). */
    .addColumn('lecturer_id', 'text')
    .addColumn('content', 'integer', (c) => c.notNull())
    .addColumn('usefulness', 'integer', (c) => c.notNull())
    .addColumn('lecturer', 'integer')
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('evaluation_once', ['person_id', 'target_kind', 'target_id'])
    .execute()
  // Figures per course or meeting, comments newest first; figures per lecturer.
  await db.schema.createIndex('evaluation_target_idx').on('evaluation').columns(['target_kind', 'target_id', 'created_at']).execute()
  await db.schema.createIndex('evaluation_lecturer_idx').on('evaluation').columns(['lecturer_id', 'created_at']).execute()

  await db.schema
    .createTable('item_stat')
    .addColumn('question_id', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('difficulty', 'double precision', (c) => c.notNull())
    .addColumn('discrimination', 'double precision', (c) => c.notNull())
    .addColumn('flagged', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .execute()
  // The editors' list: flagged questions, worst discrimination first.
  await db.schema.createIndex('item_stat_flagged_idx').on('item_stat').columns(['flagged', 'discrimination', 'question_id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('item_stat').execute()
  await db.schema.dropTable('evaluation').execute()
  await db.schema.alterTable('meeting').dropColumn('lecturer_id').execute()
  await db.schema.dropTable('exam_start').execute()
}
