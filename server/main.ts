/**
 * `npm start`: migrate, seed a fresh database, serve the PWA and the API on one port; with
 * WORKERS=n in n processes sharing that port (server/cluster.ts).
 */
import cluster from 'node:cluster'
import { join, resolve } from 'node:path'
import { buildApp } from './app.ts'
import { forkWorkers, workerIndex, workersFrom } from './cluster.ts'
import { backupScheduleFromEnv, startBackupSchedule } from './backup/schedule.ts'
import { connect, databaseUrlFromEnv } from './db/connect.ts'
import { assertNoUnfinishedCopy } from './db/copy.ts'
import { migrateToLatest, MigrationError } from './db/migrate.ts'
import { logFormatFrom, loggerOptions } from './shared/logging.ts'
import { trustProxyFrom } from './shared/trustProxy.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, isSeeded, seedDemo } from './seed/demo.ts'
import { CONTENT_DIR, importContent } from './features/content/import.ts'
import { assignDemoCourses, hasContent, rootOrgUnit } from './features/content/content.repository.ts'
import { auditRetentionDays, purgeAudit } from './shared/audit.ts'
import { ensurePartitionsAhead } from './db/partitions.ts'
import { ledgerMaxAgeDays, purgeLedger } from './features/sync/ledgerRetention.ts'
import { localMediaStore, MEDIA_STORE_DIR } from './features/media/mediaStore.ts'
import { cleanUnusedUploads, cleanupGraceFromEnv } from './features/media/mediaCleanup.ts'
import { refreshItemStats } from './features/itemStats/itemStats.repository.ts'
import { expireAbandonedUploads } from './features/video/uploadExpiry.ts'
import { UPLOAD_DIR } from './features/video/videoUpload.routes.ts'

const port = Number(process.env.PORT ?? 8080)
const host = process.env.HOST ?? '0.0.0.0'
const databaseUrl = databaseUrlFromEnv()
// Another content/ folder (imported on a fresh database, media served from its media/).
const contentDir = resolve(process.env.CONTENT_DIR ?? CONTENT_DIR)
const mediaDir = join(contentDir, 'media')
// Studio uploads (images, recordings): a folder of their own, outside content/, kept across deploys.
const mediaStoreDir = resolve(process.env.MEDIA_STORE_DIR ?? MEDIA_STORE_DIR)

// Read first: a retention below the legal minimum stops the server before it serves anyone.
const retentionDays = auditRetentionDays()
const logFormat = logFormatFrom(process.env.LOG_FORMAT, process.stdout.isTTY)
const backupSchedule = backupScheduleFromEnv()
const ledgerDays = ledgerMaxAgeDays()
const cleanupGraceMs = cleanupGraceFromEnv()
const workers = workersFrom(process.env.WORKERS)
// Worker 0 (or the only process) runs the background jobs: the report folder, retention, backups.
const runsJobs = workerIndex() === 0
const handle = connect({ url: databaseUrl })
// The primary of a cluster, or a single process: get the database ready before anyone serves.
if (cluster.isPrimary) await prepareDatabase()
if (cluster.isPrimary && workers > 1) {
  await handle.db.destroy()
  forkWorkers(workers, (message) => console.log(message))
  console.log(`Serving with ${workers} worker processes on port ${port}`)
} else await serve()

async function prepareDatabase() {
  try {
    const ran = await migrateToLatest(handle.db)
    if (ran.length) console.log(`Migrated: ${ran.join(', ')}`)
  } catch (err) {
    // A failed upgrade is rolled back whole: say so plainly and do not serve on a schema we do not know.
    if (!(err instanceof MigrationError)) throw err
    console.error(`Not starting. ${err.message}`)
    await handle.db.destroy()
    // 78 (EX_CONFIG): a supervisor should not restart in a loop on it (docs/operations.md).
    process.exit(78)
  }
  await assertNoUnfinishedCopy(handle.db)
  if (!(await isSeeded(handle.db))) {
    console.log('Fresh database: seeding the demo organisation…')
    await seedDemo(handle.db)
  }
  if (!(await hasContent(handle.db))) {
    const s = await importContent(handle.db, contentDir)
    await assignDemoCourses(handle.db, (await rootOrgUnit(handle.db))!)
    console.log(`Content imported: ${s.inserted} items (re-import after edits: npm run content:import)`)
  }
}

async function serve() {
  const app = await buildApp({
    handle,
    staticDir: resolve(process.env.STATIC_DIR ?? 'dist'),
    mediaDir,
    mediaStoreDir,
    logger: loggerOptions({ level: process.env.LOG_LEVEL ?? 'info', format: logFormat }),
    trustProxy: trustProxyFrom(process.env.TRUST_PROXY),
    security: { cspReportOnly: process.env.CSP_REPORT_ONLY === '1', hsts: process.env.HSTS === '1' },
    metricsToken: process.env.METRICS_TOKEN || undefined,
    ...(runsJobs ? {} : { reportFoldMs: false as const }),
  })
  if (runsJobs) await startJobs(app)

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
口袋党校 Pocket Party School is running${workers > 1 ? ` (worker ${workerIndex()})` : ''}
  URL:       http://localhost:${port}/
  database:  ${where}
  demo logins (password ${DEMO_PASSWORD}):
${DEMO_LOGINS.map((l) => `    ${l.phone}  ${l.label}`).join('\n')}
`)
}

/** The daily upkeep and backups: in one process of the cluster (worker 0), never in several. */
async function startJobs(app: Awaited<ReturnType<typeof buildApp>>) {
  // Audit retention: entries older than AUDIT_RETENTION_DAYS go at start and once a day (each
  // instance may run it; the delete is idempotent).
  const purge = () =>
    purgeAudit(handle.db, retentionDays).then(
      (n) => n > 0 && app.log.info({ removed: n, retentionDays }, 'audit retention purge'),
      (err: unknown) => app.log.error({ err }, 'audit retention purge failed'),
    )
  await purge()
  setInterval(() => void purge(), 24 * 3600 * 1000).unref()

  if (backupSchedule) {
    startBackupSchedule({ dialect: handle.dialect, sqlite: handle.sqlite, url: databaseUrl }, backupSchedule, mediaDir, app.log, mediaStoreDir)
    app.log.info({ dir: backupSchedule.dir, everyMs: backupSchedule.everyMs, keep: backupSchedule.keep }, 'backup schedule on')
  }
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

  // Uploads nothing mentions any more, past MEDIA_CLEANUP_GRACE_DAYS: once a day, an hour after start.
  if (cleanupGraceMs !== undefined) {
    const store = localMediaStore(mediaStoreDir)
    const cleanup = () =>
      cleanUnusedUploads(handle.db, store, { graceMs: cleanupGraceMs }).then(
        (r) => r.removed.length > 0 && app.log.info({ removed: r.removed.length, bytes: r.bytes }, 'unused uploads removed'),
        (err: unknown) => app.log.error({ err }, 'clean-up of unused uploads failed'),
      )
    setTimeout(() => void cleanup(), 3600 * 1000).unref()
    setInterval(() => void cleanup(), 24 * 3600 * 1000).unref()
  }

  // Question quality (docs/quiz.md): rebuilt off the request path every ITEM_STATS_EVERY_HOURS
  // (default 6) and a minute after start; on PostgreSQL one instance computes, the others skip.
  const itemStatsEveryMs = Number(process.env.ITEM_STATS_EVERY_HOURS ?? 6) * 3600 * 1000
  const itemStats = async () => {
    try {
      const t0 = Date.now()
      const done = await refreshItemStats(handle.db)
      if (done !== 'busy') app.log.info({ ...done, ms: Date.now() - t0 }, 'question quality computed')
    } catch (err) {
      app.log.error({ err }, 'question quality failed')
    }
  }
  if (itemStatsEveryMs > 0) {
    setTimeout(() => void itemStats(), 60_000).unref()
    setInterval(() => void itemStats(), itemStatsEveryMs).unref()
  }

  // Studio uploads nobody continued for a day lose their bytes (docs/video.md): at start and hourly.
  const expireUploads = () =>
    expireAbandonedUploads(UPLOAD_DIR).then(
      (n) => n > 0 && app.log.info({ removed: n }, 'abandoned video uploads deleted'),
      (err: unknown) => app.log.error({ err }, 'abandoned video upload expiry failed'),
    )
  await expireUploads()
  setInterval(() => void expireUploads(), 3600 * 1000).unref()
}
