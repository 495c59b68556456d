/**
 * The whole server, wired by hand: every plugin and feature is registered here and nowhere else.
 * Stateless: sessions, rate limits and data live in the database, so N instances can share it.
 */
import { mkdir } from 'node:fs/promises'
import compress from '@fastify/compress'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import { resolve } from 'node:path'
import type { DbHandle } from './db/connect.ts'
import { assignmentRoutes } from './features/assignment/assignment.routes.ts'
import { archiveRoutes } from './features/archive/archive.routes.ts'
import { attendanceRoutes } from './features/attendance/attendance.routes.ts'
import { overviewRoutes } from './features/attendance/overview.routes.ts'
import { examRoutes } from './features/exam/exam.routes.ts'
import { surveyRoutes } from './features/survey/survey.routes.ts'
import { itemStatsRoutes } from './features/itemStats/itemStats.routes.ts'
import { evaluationRoutes } from './features/evaluation/evaluation.routes.ts'
import { flowingRoutes } from './features/flowing/flowing.routes.ts'
import { adminRoutes } from './features/admin/admin.routes.ts'
import { lecturerRoutes } from './features/lecturers/lecturers.routes.ts'
import { authRoutes, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './features/auth/auth.routes.ts'
import { myDataRoutes } from './features/auth/myData.routes.ts'
import { mediaRoutes } from './features/content/media.routes.ts'
import { packageRoutes } from './features/studio/package/package.routes.ts'
import { localMediaStore, MEDIA_STORE_DIR, UPLOADED_MEDIA_PREFIX, type MediaStore } from './features/media/mediaStore.ts'
import { mediaUploadRoutes } from './features/media/upload.routes.ts'
import { ffmpegAvailable } from './features/video/ffmpeg.ts'
import { UPLOAD_DIR, videoUploadRoutes } from './features/video/videoUpload.routes.ts'
import { startVideoWorker } from './features/video/videoWorker.ts'
import { studioRoutes } from './features/studio/studio.routes.ts'
import { caseRoutes } from './features/cases/cases.routes.ts'
import { healthRoutes } from './features/health/health.routes.ts'
import { metricsRoutes } from './features/health/metrics.routes.ts'
import { orgRoutes } from './features/org/org.routes.ts'
import { plansRoutes } from './features/plans/plans.routes.ts'
import { pullRoutes } from './features/sync/pull.routes.ts'
import { pushRoutes } from './features/sync/push.routes.ts'
import { startReportFolder } from './features/reports/reportFold.ts'
import { reportRoutes } from './features/reports/reports.routes.ts'
import { reflectionRoutes } from './features/reflections/reflections.routes.ts'
import { studyPointRoutes } from './features/studyPoints/studyPoints.routes.ts'
import { registerAuthentication } from './shared/authz.ts'
import { registerErrorHandler } from './shared/errors.ts'
import { registerInputCheck } from './shared/inputText.ts'
import { OneLinePerRequest } from './shared/logging.ts'
import { registerRequestMetrics, watchPool } from './shared/metrics.ts'
import { registerStatic } from './shared/static.ts'
import { registerSecurityHeaders, type SecurityHeaderOptions } from './shared/securityHeaders.ts'
import type { TrustProxy } from './shared/trustProxy.ts'

export const MEDIA_DIR = resolve(import.meta.dirname, '../content/media')

export interface AppOptions {
  handle: DbHandle
  /** Built PWA to serve beside the API (the `dist/` folder); none in API-only tests. */
  staticDir?: string
  logger?: FastifyServerOptions['logger']
  loginLimits?: LoginLimits
  /** Proxy hops or addresses whose X-Forwarded-* headers are believed (see shared/trustProxy.ts). */
  trustProxy?: TrustProxy
  /** content/media, served at /media/; defaults to the repository's content/media. */
  mediaDir?: string
  /** Where uploaded media are kept (features/media/mediaStore.ts), served at /media/u/; ./data/media by default. */
  mediaStoreDir?: string
  /** Where studio uploads are put (docs/studio.md "Media storage"); the local folder `mediaStoreDir` by default. */
  mediaStore?: MediaStore
  /** Where unfinished tus uploads wait (features/video/); ./data/uploads by default. */
  uploadDir?: string
  /**
   * The video processing worker (features/video/videoWorker.ts): false for none in this process;
   * `ffmpeg: false` serves originals as they are. By default ffmpeg is used when installed
   * (VIDEO_FFMPEG=off turns it off).
   */
  videoWorker?: false | { ffmpeg?: boolean; intervalMs?: number }
  /** The server's clock where a feature's rules follow time (pull scopes); Date.now by default. */
  clock?: () => number
  /** Content-Security-Policy report-only and forced HSTS (see shared/securityHeaders.ts). */
  security?: SecurityHeaderOptions
  /**
   * How often this instance folds report marks into the summaries (features/reports/reportFold.ts),
   * in ms; false runs no folder (a test that folds by hand, an instance that only serves reads).
   */
  reportFoldMs?: number | false
  /** METRICS_TOKEN: the bearer token GET /api/metrics wants; unset, it answers private addresses only. */
  metricsToken?: string
}

export async function buildApp({
  handle,
  staticDir,
  logger = false,
  loginLimits,
  trustProxy = false,
  mediaDir = MEDIA_DIR,
  mediaStoreDir = MEDIA_STORE_DIR,
  mediaStore = localMediaStore(mediaStoreDir),
  uploadDir = UPLOAD_DIR,
  videoWorker = {},
  clock,
  security,
  reportFoldMs = 250,
  metricsToken,
}: AppOptions) {
  const app = Fastify({
    logger,
    logController: new OneLinePerRequest(),
    trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  registerErrorHandler(app, staticDir)
  registerRequestMetrics(app)
  if (handle.pool) {
    const unwatch = watchPool(handle.pool)
    app.addHook('onClose', async () => unwatch())
  }
  // Headers first: every answer carries them, a 401 from the authentication hook included.
  await registerSecurityHeaders(app, security)
  registerAuthentication(app, handle.db)
  registerInputCheck(app)
  await app.register(compress, { threshold: 1024 })
  await app.register(swagger, {
    openapi: {
      info: { title: 'Pocket Party School API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  await app.register(healthRoutes, { handle })
  await app.register(metricsRoutes, { token: metricsToken })
  await app.register(authRoutes, { db: handle.db, limits: loginLimits ?? DEFAULT_LOGIN_LIMITS })
  await app.register(myDataRoutes, { db: handle.db })
  await app.register(orgRoutes, { db: handle.db })
  await app.register(pullRoutes, { db: handle.db, clock })
  await app.register(pushRoutes, { db: handle.db })
  await app.register(attendanceRoutes, { db: handle.db })
  await app.register(overviewRoutes, { db: handle.db })
  await app.register(flowingRoutes, { db: handle.db })
  await app.register(adminRoutes, { db: handle.db })
  await app.register(lecturerRoutes, { db: handle.db })
  await app.register(reportRoutes, { db: handle.db })
  await app.register(archiveRoutes, { db: handle.db })
  await app.register(plansRoutes, { db: handle.db })
  await app.register(assignmentRoutes, { db: handle.db })
  await app.register(reflectionRoutes, { db: handle.db })
  await app.register(studyPointRoutes, { db: handle.db })
  await app.register(examRoutes, { db: handle.db, clock })
  await app.register(mediaUploadRoutes, { db: handle.db, store: mediaStore })
  const worker =
    videoWorker === false
      ? undefined
      : startVideoWorker({
          db: handle.db,
          store: mediaStore,
          ffmpeg: videoWorker.ffmpeg ?? ffmpegAvailable(),
          intervalMs: videoWorker.intervalMs ?? 5000,
          onError: (err, jobId) => app.log.error({ err, jobId }, 'video processing failed; retried up to 3 times'),
        })
  if (worker) app.addHook('onClose', () => worker.stop())
  await app.register(videoUploadRoutes, { db: handle.db, store: mediaStore, storeDir: mediaStoreDir, uploadDir, onQueued: () => worker?.kick() })
  await app.register(surveyRoutes, { db: handle.db, clock })
  await app.register(itemStatsRoutes, { db: handle.db })
  await app.register(evaluationRoutes, { db: handle.db })
  await app.register(studioRoutes, { db: handle.db, mediaStore })
  await app.register(caseRoutes, { db: handle.db })
  await app.register(packageRoutes, { db: handle.db, store: mediaStore, contentMediaDir: mediaDir, video: { storeDir: mediaStoreDir, onQueued: () => worker?.kick() } })
  // A fresh install has no uploads yet: the folder is made here, not at the first upload.
  await mkdir(mediaStoreDir, { recursive: true })
  await app.register(mediaRoutes, { root: mediaStoreDir, urlPrefix: UPLOADED_MEDIA_PREFIX })
  await app.register(mediaRoutes, { root: mediaDir })

  if (staticDir) await registerStatic(app, staticDir)
  if (reportFoldMs !== false) {
    const folder = startReportFolder(handle.db, { intervalMs: reportFoldMs, onError: (err) => app.log.error({ err }, 'report fold failed; the marks wait for the next one') })
    app.addHook('onClose', () => folder.stop())
  }
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
