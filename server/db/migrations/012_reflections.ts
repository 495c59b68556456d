import type { Kysely } from 'kysely'

/**
 * Study reflections 晒心得. A reflection belongs to the author's party group (and, for the branch's
 * "excellent" list, to that group's branch); photos, replies and likes hang off it. Ids of
 * reflections and replies are made on the phone, so an outbox replay inserts nothing twice; a like
 * is one row per (reflection, person), so liking twice is still one like.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reflection')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    /** The group's parent branch: excellent reflections are shown branch-wide. */
    .addColumn('branch_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('lesson_id', 'text')
    .addColumn('course_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('photo_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('reviewed_by', 'text', (c) => c.references('person.id'))
    .addColumn('reviewed_at', 'bigint')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  // Group feed (newest first, keyset on received_at, id); person and status make the monthly
  // counts an index-only scan.
  await db.schema
    .createIndex('reflection_group_idx')
    .on('reflection')
    .columns(['org_unit_id', 'received_at', 'id', 'person_id', 'status'])
    .execute()
  await db.schema.createIndex('reflection_branch_idx').on('reflection').columns(['branch_id', 'status', 'received_at', 'id']).execute()

  await db.schema
    .createTable('reflection_photo')
    .addColumn('reflection_id', 'text', (c) => c.notNull().references('reflection.id'))
    .addColumn('n', 'integer', (c) => c.notNull())
    /** Base64 JPEG without EXIF, ≤ 80,000 characters. */
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reflection_photo_pk', ['reflection_id', 'n'])
    .execute()

  await db.schema
    .createTable('reflection_reply')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reflection_id', 'text', (c) => c.notNull().references('reflection.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('reflection_reply_idx').on('reflection_reply').columns(['reflection_id', 'received_at', 'id']).execute()

  await db.schema
    .createTable('reflection_like')
    .addColumn('reflection_id', 'text', (c) => c.notNull().references('reflection.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reflection_like_pk', ['reflection_id', 'person_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reflection_like').execute()
  await db.schema.dropTable('reflection_reply').execute()
  await db.schema.dropTable('reflection_photo').execute()
  await db.schema.dropTable('reflection').execute()
}
