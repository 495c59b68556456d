/** `npm start`: migrate, seed a fresh database, serve the PWA and the API on one port. */
import { resolve } from 'node:path'
import { buildApp } from './app.ts'
import { connect } from './db/connect.ts'
import { migrateToLatest } from './db/migrate.ts'
import { trustProxyFrom } from './shared/trustProxy.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, isSeeded, seedDemo } from './seed/demo.ts'
import { importContent } from './features/content/import.ts'
import { assignDemoCourses, hasContent, rootOrgUnit } from './features/content/content.repository.ts'
import { auditRetentionDays, purgeAudit } from './shared/audit.ts'
import { ensurePartitionsAhead } from './db/partitions.ts'
import { ledgerMaxAgeDays, purgeLedger } from './features/sync/ledgerRetention.ts'

const port = Number(process.env.PORT ?? 8080)
const host = process.env.HOST ?? '0.0.0.0'
const databaseUrl = process.env.DATABASE_URL ?? resolve('data/pocket-party-school.sqlite')

// Read first: a retention below the legal minimum stops the server before it serves anyone.
const retentionDays = auditRetentionDays()
const ledgerDays = ledgerMaxAgeDays()
const handle = connect({ url: databaseUrl })
await migrateToLatest(handle.db)
if (!(await isSeeded(handle.db))) {
  console.log('Fresh database: seeding the demo organisation…')
  await seedDemo(handle.db)
}
if (!(await hasContent(handle.db))) {
  const s = await importContent(handle.db)
  await assignDemoCourses(handle.db, (await rootOrgUnit(handle.db))!)
  console.log(`Content imported: ${s.inserted} items (re-import after edits: npm run content:import)`)
}

const app = await buildApp({
  handle,
  staticDir: resolve(process.env.STATIC_DIR ?? 'dist'),
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  trustProxy: trustProxyFrom(process.env.TRUST_PROXY),
  security: { cspReportOnly: process.env.CSP_REPORT_ONLY === '1', hsts: process.env.HSTS === '1' },
})

// Audit retention: entries older than AUDIT_RETENTION_DAYS go at start and once a day (each
// instance may run it; the delete is idempotent).
const purge = () =>
  purgeAudit(handle.db, retentionDays).then(
    (n) => n > 0 && app.log.info({ removed: n, retentionDays }, 'audit retention purge'),
    (err: unknown) => app.log.error({ err }, 'audit retention purge failed'),
  )
await purge()
setInterval(() => void purge(), 24 * 3600 * 1000).unref()

// PostgreSQL: event-table partitions for this month and the next ones, made ahead (a record for
// a month without one still lands, in the DEFAULT partition). Both dialects: the ledger forgets
// ids past LEDGER_MAX_AGE_DAYS. At start and once a day; any instance may run it.
const upkeep = async () => {
  try {
    const made = handle.dialect === 'postgres' ? await ensurePartitionsAhead(handle.db) : []
    const purged = await purgeLedger(handle.db, handle.dialect, ledgerDays)
    if (made.length + purged.partitions.length + purged.rows > 0) app.log.info({ made, purged, ledgerDays }, 'partition and ledger upkeep')
  } catch (err) {
    app.log.error({ err }, 'partition and ledger upkeep failed')
  }
}
await upkeep()
setInterval(() => void upkeep(), 24 * 3600 * 1000).unref()

let closing = false
async function shutdown(signal: string) {
  if (closing) return
  closing = true
  app.log.info({ signal }, 'shutting down')
  await app.close()
  await handle.db.destroy()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))

await app.listen({ port, host })
const where = databaseUrl.startsWith('postgres') ? 'PostgreSQL (DATABASE_URL)' : databaseUrl
console.log(`
口袋党校 Pocket Party School is running
  URL:       http://localhost:${port}/
  database:  ${where}
  demo logins (password ${DEMO_PASSWORD}):
${DEMO_LOGINS.map((l) => `    ${l.phone}  ${l.label}`).join('\n')}
`)
