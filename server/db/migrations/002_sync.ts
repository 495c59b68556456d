import type { Kysely } from 'kysely'

/**
 * Push sync. `applied_record` is the one idempotency table for every kind: a record id is
 * inserted there (insert-on-conflict-do-nothing) in the same transaction as the kind's effect,
 * so a replayed record is recognised whatever the kind does (insert, update or append).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applied_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('applied_record_person_idx').on('applied_record').columns(['person_id', 'received_at']).execute()

  await db.schema
    .createTable('study_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('lesson_id', 'text', (c) => c.notNull())
    .addColumn('course_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('study_event_person_idx').on('study_event').columns(['person_id', 'lesson_id']).execute()

  await db.schema
    .createTable('sync_device')
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('last_push_at', 'bigint', (c) => c.notNull())
    .addColumn('outbox_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_device_pk', ['person_id', 'device_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sync_device', 'study_event', 'applied_record']) {
    await db.schema.dropTable(table).execute()
  }
}
