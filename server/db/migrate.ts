import { Migrator, type Migration } from 'kysely'
import type { Kysely } from 'kysely'
import * as m001 from './migrations/001_accounts.ts'

/** Every migration, in order, wired by hand (no directory scanning: the list is the truth). */
const migrations: Record<string, Migration> = {
  '001_accounts': m001,
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error })
  }
}
