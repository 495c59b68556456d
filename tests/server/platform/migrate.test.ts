import { sql, type Kysely, type Migration } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../../server/db/connect.ts'
import { currentSchema, migrateToLatest, MigrationError, MIGRATIONS } from '../../../server/db/migrate.ts'
import { isPostgres } from '../../../server/db/migrations/helpers.ts'
import { dataTables } from '../../../server/db/tables.ts'
import { DIALECTS, openTestDb, PG_URL, type TestDb } from '../../support/testDb.ts'

const ALL = Object.keys(MIGRATIONS).sort()

/** Small stand-ins for a release's migrations: the runner is the same, the test stays quick. */
const released: Record<string, Migration> = {
  '001_people': { up: (db) => db.schema.createTable('people').addColumn('id', 'text', (c) => c.primaryKey()).execute() },
}
const fine: Migration = { up: (db) => db.schema.createTable('fine').addColumn('id', 'text').execute() }
/** Writes some schema, then fails: what an upgrade that breaks halfway looks like. */
const broken: Migration = {
  async up(db) {
    await db.schema.createTable('half_done').addColumn('id', 'text').execute()
    await db.schema.alterTable('people').addColumn('half_done', 'text').execute()
    throw new Error('disk full (injected)')
  },
}

/** Every table with its columns: what "the schema" means to the server that reads it. */
async function schemaOf(db: Kysely<any>): Promise<string[]> {
  const schema = isPostgres(db) ? await currentSchema(db) : undefined
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).filter((t) => t.schema === schema)
  return tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)).sort()
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let testDb: TestDb
  afterEach(() => testDb.drop())

  it('lists what would run on a dry run and changes nothing, then runs it', async () => {
    testDb = await openTestDb(dialect, { migrate: false })
    expect(await migrateToLatest(testDb.db, { dryRun: true })).toEqual(ALL)
    expect(await schemaOf(testDb.db)).toEqual([])
    expect(await migrateToLatest(testDb.db, { migrations: released })).toEqual(['001_people'])
    expect(await migrateToLatest(testDb.db, { migrations: released, dryRun: true })).toEqual([])
  })

  it('gives every data table a primary key (db:copy and backup checks page by it, replication needs it)', async () => {
    testDb = await openTestDb(dialect)
    const keyless = (await dataTables(testDb.db, dialect)).filter((t) => t.primaryKey.length === 0).map((t) => t.name)
    expect(keyless).toEqual([])
  })

  it('keeps the previous schema whole when a migration fails, and says which one failed', async () => {
    testDb = await openTestDb(dialect, { migrate: false })
    await migrateToLatest(testDb.db, { migrations: released })
    const before = await schemaOf(testDb.db)
    const upgrade = { ...released, '900_fine': fine, '901_broken': broken }
    const error = await migrateToLatest(testDb.db, { migrations: upgrade }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as Error).message).toMatch(/^Migration 901_broken failed: disk full \(injected\)\. Nothing was changed \(900_fine rolled back with it\)/)
    expect(await schemaOf(testDb.db)).toEqual(before)
    expect(before).toContain('people.id')
    expect(await migrateToLatest(testDb.db, { migrations: upgrade, dryRun: true })).toEqual(['900_fine', '901_broken'])
  })

  it('leaves a fresh database empty when the first install fails', async () => {
    testDb = await openTestDb(dialect, { migrate: false })
    await expect(migrateToLatest(testDb.db, { migrations: { ...released, '901_broken': broken } })).rejects.toThrow(MigrationError)
    expect(await schemaOf(testDb.db)).toEqual([])
  })

  it('refuses a database that a newer version of the server migrated', async () => {
    testDb = await openTestDb(dialect, { migrate: false })
    await migrateToLatest(testDb.db, { migrations: released })
    await sql`insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(testDb.db)
    await expect(migrateToLatest(testDb.db, { migrations: released })).rejects.toThrow(/migrated by a newer version of the server \(999_from_the_future unknown here\)/)
  })
})

describe('two instances starting at once on a fresh PostgreSQL database', () => {
  it('migrate once: one runs every migration, the other waits and finds nothing to do', async () => {
    const first = await openTestDb('postgres', { migrate: false })
    const second = connect({ url: PG_URL, pgSchema: await currentSchema(first.db) })
    try {
      const ran = await Promise.all([migrateToLatest(first.db), migrateToLatest(second.db)])
      expect(ran.map((names) => names.length).sort((a, b) => a - b)).toEqual([0, ALL.length])
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(first.db)
      expect(rows.map((r) => r.name)).toEqual(ALL)
    } finally {
      await second.db.destroy()
      await first.drop()
    }
  })
})
