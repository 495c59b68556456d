/**
 * PostgreSQL: the append-only event tables become partitioned by month of their record id
 * (server/db/partitions.ts says why the id). SQLite keeps one table each (it serves one county).
 *
 * Each table is rebuilt the same way, so columns added by any earlier migration come along:
 * the old table is renamed, a partitioned twin is made LIKE it (defaults, identity), its key
 * column set to `COLLATE "C"`; partitions are made for every month the existing ids cover
 * (ids of 2020 or later; any other id goes to the DEFAULT partition) and for the months ahead;
 * the rows move over; the old table goes; its indexes and foreign keys are made again on the
 * parent (PostgreSQL makes each on every partition). The primary keys: `(id)` stays for the
 * tables keyed by id (it holds the partition key); `attendance_mark`'s `(seq)` becomes
 * `(seq, record_id)`, its unique `(record_id, person_id)`, which the mark's idempotency uses,
 * holding the key as it is.
 */
import { sql, type Kysely } from 'kysely'
import { RECORD_TIME_MIN } from '../../../src/protocol/sync.ts'
import { isPostgres } from './helpers.ts'
import { ensurePartitions, idBound, monthStart, MONTHS_AHEAD, PARTITIONED, type Partitioned } from '../partitions.ts'

const PRIMARY_KEY: Record<string, string[]> = { attendance_mark: ['seq', 'record_id'] }

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return
  for (const part of PARTITIONED) await partition(db, part)
}

async function partition(db: Kysely<unknown>, part: Partitioned): Promise<void> {
  const { table, key } = part
  const old = `${table}_unpartitioned`
  const shape = `${table}_shape`
  const { rows: indexes } = await sql<{ def: string }>`
    select pg_get_indexdef(i.indexrelid) as def from pg_index i
    where i.indrelid = ${sql.lit(table)}::regclass and not i.indisprimary`.execute(db)
  const { rows: foreignKeys } = await sql<{ def: string }>`
    select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = ${sql.lit(table)}::regclass and contype = 'f'`.execute(db)
  const primary = PRIMARY_KEY[table] ?? [key]

  await sql`alter table ${sql.table(table)} rename to ${sql.table(old)}`.execute(db)
  await sql`create table ${sql.table(shape)} (like ${sql.table(old)} including defaults including identity)`.execute(db)
  await sql`alter table ${sql.table(shape)} alter column ${sql.ref(key)} type text collate "C"`.execute(db)
  await sql`create table ${sql.table(table)} (like ${sql.table(shape)} including defaults including identity) partition by range (${sql.ref(key)})`.execute(db)
  await sql`drop table ${sql.table(shape)}`.execute(db)
  await sql`create table ${sql.table(`${table}_default`)} partition of ${sql.table(table)} default`.execute(db)

  // Months the ids already cover (UUIDv7 text ≥ 2020), so the rows land in their own partitions.
  const { rows: months } = await sql<{ first: string | null; last: string | null }>`
    select min(${sql.ref(key)}) as first, max(${sql.ref(key)}) as last from ${sql.table(old)}
    where ${sql.ref(key)} collate "C" >= ${idBound(RECORD_TIME_MIN)} and ${sql.ref(key)} ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7'`.execute(db)
  const { first, last } = months[0] ?? {}
  const time = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
  const now = Date.now()
  // Made before the indexes, so each index is built once over every partition. A clock years
  // ahead does not get a partition per month in between: its rows wait in DEFAULT.
  const until = Math.max(monthStart(now, MONTHS_AHEAD), Math.min(last ? time(last) : 0, monthStart(now, 12)))
  await ensurePartitions(db, Math.min(first ? time(first) : now, now), until, [part])

  await sql`insert into ${sql.table(table)} select * from ${sql.table(old)}`.execute(db)
  if (table === 'attendance_mark') await restartSeq(db)
  await sql`drop table ${sql.table(old)}`.execute(db)
  // The old table is gone, so its index names are free again; the definitions named it by its
  // first name, which is now the partitioned table's.
  await sql`alter table ${sql.table(table)} add constraint ${sql.ref(`${table}_pkey`)} primary key (${sql.join(primary.map((c) => sql.ref(c)))})`.execute(db)
  for (const { def } of indexes) await sql.raw(def).execute(db)
  for (const { def } of foreignKeys) await sql`alter table ${sql.table(table)} add ${sql.raw(def)}`.execute(db)
  await sql`analyze ${sql.table(table)}`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return
  for (const { table, key } of PARTITIONED) {
    const old = `${table}_partitioned`
    const { rows: indexes } = await sql<{ def: string }>`
      select pg_get_indexdef(i.indexrelid) as def from pg_index i
      where i.indrelid = ${sql.lit(table)}::regclass and not i.indisprimary`.execute(db)
    const { rows: foreignKeys } = await sql<{ def: string }>`
      select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = ${sql.lit(table)}::regclass and contype = 'f'`.execute(db)
    await sql`alter table ${sql.table(table)} rename to ${sql.table(old)}`.execute(db)
    await sql`create table ${sql.table(table)} (like ${sql.table(old)} including defaults including identity)`.execute(db)
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(key)} type text collate "default"`.execute(db)
    await sql`insert into ${sql.table(table)} select * from ${sql.table(old)}`.execute(db)
    await sql`drop table ${sql.table(old)} cascade`.execute(db)
    const primary = table === 'attendance_mark' ? ['seq'] : [key]
    await sql`alter table ${sql.table(table)} add primary key (${sql.join(primary.map((c) => sql.ref(c)))})`.execute(db)
    // A partitioned parent's index reads "ON ONLY t"; on a plain table it is "ON t".
    for (const { def } of indexes) await sql.raw(def.replace(' ON ONLY ', ' ON ')).execute(db)
    for (const { def } of foreignKeys) await sql`alter table ${sql.table(table)} add ${sql.raw(def)}`.execute(db)
    if (table === 'attendance_mark') await restartSeq(db)
  }
}

/** The identity sequence is the new table's own: it continues after the marks that moved. */
async function restartSeq(db: Kysely<unknown>): Promise<void> {
  await sql`select setval(pg_get_serial_sequence('attendance_mark', 'seq'), coalesce((select max(seq) from attendance_mark), 0) + 1, false)`.execute(db)
}
