import type { Kysely } from 'kysely'

/**
 * Flowing members' record card 一卡. One row per record (id made on the member's phone); a
 * leader's review sets `status` and the review columns. The review itself is idempotent through
 * `applied_record`, and a later review by server order replaces an earlier one (a leader may
 * correct a mistaken confirmation), so no separate history table is needed yet.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('flowing_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('person.id'))
    /** The member's home unit when they recorded it; leaders see records by their subtree. */
    .addColumn('org_unit_id', 'text', (c) => c.notNull().references('org_unit.id'))
    .addColumn('held_on', 'bigint', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('photo', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('reviewed_by', 'text', (c) => c.references('person.id'))
    .addColumn('reviewed_at', 'bigint')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('flowing_record_person_idx').on('flowing_record').columns(['person_id', 'held_on']).execute()
  await db.schema.createIndex('flowing_record_org_idx').on('flowing_record').columns(['org_unit_id', 'status', 'held_on']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('flowing_record').execute()
}
