/**
 * Migration 027 on PostgreSQL: rows written under the old, unpartitioned schema are all in the
 * partitioned tables afterwards, each in its month's partition (or DEFAULT for an id that is not
 * a UUIDv7), and the tables keep working: replays stay duplicates, mark numbers continue.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type DbHandle } from '../../../server/db/connect.ts'
import { MIGRATIONS, migrateToLatest } from '../../../server/db/migrate.ts'
import { monthStart } from '../../../server/db/partitions.ts'
import { PG_URL } from '../../support/testDb.ts'
import { idMadeAt } from './pushSupport.ts'

/** The schema as it was before 027, to write rows the old way. */
const BEFORE_027 = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '027'))
const TABLES = ['applied_record', 'study_event', 'attendance_mark', 'checkin', 'quiz_attempt'] as const

describe('migration 027 on postgres', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL })
  let handle: DbHandle
  const now = Date.now()
  const lastMonth = idMadeAt(monthStart(now, -1) + 3600_000)
  const thisMonth = idMadeAt(now - 1000)
  const notV7 = 'legacy-1'

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    handle = connect({ url: PG_URL, pgSchema: schema })
    await migrateToLatest(handle.db, { migrations: BEFORE_027 })
    const db = handle.db
    await sql`insert into org_unit (id, parent_id, kind, name, path, created_at) values ('u', null, 'branch', 'u', '/u/', 0)`.execute(db)
    await sql`insert into person (id, phone, name, password_hash, org_unit_id, created_at) values ('p', '1', 'p', 'x', 'u', 0)`.execute(db)
    for (const id of [lastMonth, thisMonth, notV7]) {
      await sql`insert into applied_record (id, kind, person_id, device_id, created_at, received_at) values (${id}, 'study_event', 'p', 'd', 0, 0)`.execute(db)
      await sql`insert into study_event (id, person_id, lesson_id, course_id, kind, seconds, created_at, received_at) values (${id}, 'p', 'l', 'c', 'studied', 60, 0, 0)`.execute(db)
      await sql`insert into attendance_mark (record_id, meeting_id, org_unit_id, person_id, status, marked_by, device, created_at, received_at) values (${id}, 'm', 'u', 'p', 'present', 'p', 'd', 0, 0)`.execute(db)
      await sql`insert into checkin (id, person_id, code, state, device, created_at, received_at) values (${id}, 'p', '123456', 'accepted', 'd', 0, 0)`.execute(db)
      await sql`insert into quiz_attempt (id, person_id, quiz_id, quiz_version, answers, correct, total, score, passed, started_at, device, created_at, received_at) values (${id}, 'p', 'q', 1, '[]', 1, 1, 100, 1, 0, 'd', 0, 0)`.execute(db)
    }
    await migrateToLatest(handle.db)
  })
  afterAll(async () => {
    await handle?.db.destroy()
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  })

  it('moves every existing row into its month partition, ids that are not UUIDv7 into DEFAULT', async () => {
    for (const table of TABLES) {
      const key = table === 'attendance_mark' ? 'record_id' : 'id'
      const { rows } = await sql<{ id: string; part: string; partitioned: boolean }>`
        select ${sql.ref(key)} as id, tableoid::regclass::text as part,
          exists (select 1 from pg_partitioned_table where partrelid = ${table}::regclass) as partitioned
        from ${sql.table(table)}`.execute(handle.db)
      const where = Object.fromEntries(rows.map((r) => [r.id, r.part]))
      expect(rows.every((r) => r.partitioned), table).toBe(true)
      expect(Object.keys(where).sort(), table).toEqual([lastMonth, thisMonth, notV7].sort())
      expect(where[notV7], table).toMatch(new RegExp(`${table}_default$`))
      expect(where[lastMonth], table).toMatch(new RegExp(`${table}_p\\d{6}$`))
      expect(where[thisMonth], table).toMatch(new RegExp(`${table}_p\\d{6}$`))
      expect(where[lastMonth]).not.toBe(where[thisMonth])
    }
  })

  it('keeps the ledger exact by id and numbers new marks after the moved ones', async () => {
    const claim = await sql<{ id: string }>`
      insert into applied_record (id, kind, person_id, device_id, created_at, received_at) values (${lastMonth}, 'study_event', 'p', 'd', 0, 0)
      on conflict (id) do nothing returning id`.execute(handle.db)
    expect(claim.rows).toEqual([])
    const before = await sql<{ max: number }>`select max(seq) as max from attendance_mark`.execute(handle.db)
    const added = await sql<{ seq: number }>`
      insert into attendance_mark (record_id, meeting_id, org_unit_id, person_id, status, marked_by, device, created_at, received_at)
      values (${idMadeAt(now)}, 'm', 'u', 'p', 'present', 'p', 'd', 0, 0) returning seq`.execute(handle.db)
    expect(added.rows[0]!.seq).toBeGreaterThan(before.rows[0]!.max)
  })
})
