/**
 * `npm run db:migrate` runs the pending migrations; `npm run db:migrate -- --dry-run` lists them
 * and changes nothing. The server also migrates when it starts; this command lets an operator
 * upgrade the schema (or look first) before starting the new version. Reads DATABASE_URL.
 */
import { connect, databaseUrlFromEnv } from './connect.ts'
import { migrateToLatest, MigrationError } from './migrate.ts'

const dryRun = process.argv.includes('--dry-run')
const handle = connect({ url: databaseUrlFromEnv() })
try {
  const names = await migrateToLatest(handle.db, { dryRun })
  if (!names.length) console.log('The schema is up to date: nothing to run.')
  else console.log(`${dryRun ? 'Would run' : 'Ran'} ${names.length} migration(s):\n${names.map((n) => `  ${n}`).join('\n')}`)
} catch (err) {
  if (!(err instanceof MigrationError)) throw err
  console.error(err.message)
  process.exitCode = 1
} finally {
  await handle.db.destroy()
}
