/**
 * Runs the schema migrations: all pending ones in ONE transaction, under a lock, so an upgrade
 * either lands whole or leaves the schema the previous version of the server knows.
 *
 * Why not Kysely's Migrator: on PostgreSQL it holds a session-level advisory lock, which a
 * PgBouncer in transaction mode hands to whichever server connection ran that statement (the
 * unlock may land elsewhere); on SQLite it runs without a transaction, so a migration failing
 * halfway leaves half a schema. The bookkeeping table is Kysely's (`kysely_migration`), so
 * databases it migrated carry on unchanged.
 */
import { sql, type Kysely, type Migration, type Transaction } from 'kysely'
import { isPostgres } from './migrations/helpers.ts'
import * as m001 from './migrations/001_accounts.ts'
import * as m002 from './migrations/002_sync.ts'
import * as m003 from './migrations/003_content.ts'
import * as m004 from './migrations/004_attendance.ts'
import * as m005 from './migrations/005_quiz.ts'
import * as m006 from './migrations/006_flowing.ts'
import * as m012 from './migrations/012_reflections.ts'
import * as m007 from './migrations/007_assignments.ts'
import * as m010 from './migrations/010_plans.ts'
import * as m008 from './migrations/008_attendance_guests.ts'
import * as m013 from './migrations/013_study_points.ts'
import * as m011 from './migrations/011_admin.ts'
import * as m009 from './migrations/009_reports.ts'
import * as m014 from './migrations/014_report_units.ts'
import * as m015 from './migrations/015_month_covering.ts'
import * as m016 from './migrations/016_push_outcomes.ts'
import * as m017 from './migrations/017_conflicts.ts'
import * as m018 from './migrations/018_checkin_lockout.ts'
import * as m019 from './migrations/019_accounts_security.ts'
import * as m023 from './migrations/023_privacy_notice.ts'
import * as m024 from './migrations/024_person_erasure.ts'
import * as m025 from './migrations/025_report_marks.ts'
import * as m027 from './migrations/027_event_partitions.ts'
import * as m029 from './migrations/029_db_copy.ts'
import * as m031 from './migrations/031_exams.ts'
import * as m033 from './migrations/033_lesson_video.ts'
import * as m034 from './migrations/034_studio.ts'
import * as m036 from './migrations/036_video_jobs.ts'
import * as m037 from './migrations/037_surveys.ts'
import * as m038 from './migrations/038_assessment_quality.ts'
import * as m041 from './migrations/041_studio_catalogue.ts'
import * as m043 from './migrations/043_case_proposals.ts'

/** Every migration, in order, wired by hand (no directory scanning: the list is the truth). */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001_accounts': m001,
  '002_sync': m002,
  '003_content': m003,
  '004_attendance': m004,
  '005_quiz': m005,
  '006_flowing': m006,
  '012_reflections': m012,
  '007_assignments': m007,
  '010_plans': m010,
  '008_attendance_guests': m008,
  '013_study_points': m013,
  '011_admin': m011,
  '009_reports': m009,
  '014_report_units': m014,
  '015_month_covering': m015,
  '016_push_outcomes': m016,
  '017_conflicts': m017,
  '018_checkin_lockout': m018,
  '019_accounts_security': m019,
  '023_privacy_notice': m023,
  '024_person_erasure': m024,
  '025_report_marks': m025,
  '027_event_partitions': m027,
  '029_db_copy': m029,
  '031_exams': m031,
  '033_lesson_video': m033,
  '034_studio': m034,
  '036_video_jobs': m036,
  '037_surveys': m037,
  '038_assessment_quality': m038,
  '041_studio_catalogue': m041,
  '043_case_proposals': m043,
}

/** Both keys of the PostgreSQL advisory lock: this application, and the schema being migrated. */
const MIGRATION_LOCK_APP = 7_460_002

export class MigrationError extends Error {}

export interface MigrateOptions {
  /** List what would run, change nothing. */
  dryRun?: boolean
  /** The migrations to run; tests inject a failing one. */
  migrations?: Readonly<Record<string, Migration>>
}

/**
 * Brings the schema up to date and returns the names of the migrations that ran (or would run,
 * with `dryRun`). Two processes starting at once: the second waits for the lock, then finds
 * nothing pending. On failure nothing is kept and a MigrationError says which migration failed.
 */
export async function migrateToLatest(db: Kysely<any>, { dryRun = false, migrations = MIGRATIONS }: MigrateOptions = {}): Promise<string[]> {
  if (dryRun) return pendingMigrations(db, migrations)
  return inLockedTransaction(db, async (trx) => {
    await ensureBookkeeping(trx)
    const pending = await pendingIn(trx, migrations)
    for (const name of pending) {
      try {
        await migrations[name]!.up(trx)
      } catch (err) {
        const ran = pending.slice(0, pending.indexOf(name))
        throw new MigrationError(
          `Migration ${name} failed: ${(err as Error).message}. Nothing was changed` +
            (ran.length ? ` (${ran.join(', ')} rolled back with it)` : '') +
            '; the database keeps the schema of the previous version. Fix the cause, or run the previous version of the server.',
          { cause: err },
        )
      }
      await trx.insertInto('kysely_migration').values({ name, timestamp: new Date().toISOString() }).execute()
    }
    return pending
  })
}

/** The migrations this code knows that the database has not run (empty: ready to serve). */
export async function pendingMigrations(db: Kysely<any>, migrations: Readonly<Record<string, Migration>> = MIGRATIONS): Promise<string[]> {
  const schema = isPostgres(db) ? await currentSchema(db) : undefined
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  if (!tables.some((t) => t.name === 'kysely_migration' && t.schema === schema)) return Object.keys(migrations).sort()
  return pendingIn(db, migrations)
}

/**
 * Names run in name order. A database that ran a migration this code does not know was upgraded
 * by a newer version: running older code on it could misread its data, so refuse.
 */
async function pendingIn(db: Kysely<any>, migrations: Readonly<Record<string, Migration>>): Promise<string[]> {
  const done = new Set((await db.selectFrom('kysely_migration').select('name').execute()).map((r) => r.name as string))
  const unknown = [...done].filter((name) => !(name in migrations))
  if (unknown.length) {
    throw new MigrationError(
      `The database was migrated by a newer version of the server (${unknown.sort().join(', ')} unknown here). ` +
        'Run that version, or restore the backup taken before the upgrade.',
    )
  }
  // Parallel branches take numbers out of order: a pending 020 still runs after 023.
  return Object.keys(migrations).sort().filter((name) => !done.has(name))
}

async function ensureBookkeeping(trx: Kysely<any>): Promise<void> {
  await trx.schema
    .createTable('kysely_migration')
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
    .execute()
  // Unused by this runner; kept so that every database, whichever version created it, holds the same tables.
  await trx.schema
    .createTable('kysely_migration_lock')
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await trx.insertInto('kysely_migration_lock').values({ id: 'migration_lock', is_locked: 0 }).onConflict((oc) => oc.doNothing()).execute()
}

/**
 * PostgreSQL: a transaction-scoped advisory lock keyed by the schema, taken first inside the
 * migration transaction (safe behind PgBouncer in transaction mode; released by commit or
 * rollback, never leaked). SQLite: BEGIN IMMEDIATE takes the write lock up front, so a second
 * process waits (busy_timeout) instead of failing to upgrade a read transaction.
 */
async function inLockedTransaction<T>(db: Kysely<any>, body: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    return db.transaction().execute(async (trx: Transaction<any>) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_APP}, hashtext(current_schema()))`.execute(trx)
      return body(trx)
    })
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    try {
      const result = await body(conn)
      await sql`commit`.execute(conn)
      return result
    } catch (err) {
      await sql`rollback`.execute(conn)
      throw err
    }
  })
}

export async function currentSchema(db: Kysely<any>): Promise<string> {
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]!.schema
}

/** The migrations this code knows, by name: a backup made by newer code names one more. */
export function knownMigrations(): string[] {
  return Object.keys(MIGRATIONS).sort()
}
