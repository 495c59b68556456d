import { Migrator, sql, type Migration } from 'kysely'
import type { Kysely } from 'kysely'
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
import * as m025 from './migrations/025_report_marks.ts'

/** Every migration, in order, wired by hand (no directory scanning: the list is the truth). */
const migrations: Record<string, Migration> = {
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
  '025_report_marks': m025,
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Name the schema on PostgreSQL: otherwise Kysely takes a kysely_migration_lock table in ANY
  // schema as ours, and two databases (schemas) migrating at once, as test files do, race.
  const migrationTableSchema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error })
  }
}
