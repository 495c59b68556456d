import type { Dialect } from '../../server/db/connect.ts'
import { buildApp, type App, type AppOptions } from '../../server/app.ts'
import { foldAllReportMarks } from '../../server/features/reports/reportFold.ts'
import { DEMO_PASSWORD, seedDemo } from '../../server/seed/demo.ts'
import { openTestDb, type TestDb } from './testDb.ts'

/** Cheap scrypt for tests: the hash format carries its cost, so production code is unchanged. */
export const TEST_COST = { N: 2 ** 10, r: 8, p: 1 }

export interface TestContext {
  app: App
  testDb: TestDb
  seed: Awaited<ReturnType<typeof seedDemo>>
  close(): Promise<void>
}

/** A real Fastify instance on a fresh database of the given dialect, seeded with the demo org. */
export async function buildTestApp(dialect: Dialect, opts: Omit<AppOptions, 'handle'> = {}): Promise<TestContext> {
  const testDb = await openTestDb(dialect)
  const seed = await seedDemo(testDb.db, { passwordCost: TEST_COST })
  // No report folder unless a test asks for one: a fold at a random moment would write report rows
  // between a test's snapshots; tests fold by hand (foldReports) where they read figures.
  // No video worker either unless a test asks: it would process imported videos into ./data/media.
  const app = await buildApp({ reportFoldMs: false, videoWorker: false, ...opts, handle: testDb })
  await app.ready()
  return {
    app,
    testDb,
    seed,
    async close() {
      await app.close()
      await testDb.drop()
    },
  }
}

/** Signs in through the API and returns the bearer header for later requests. */
export async function signIn(app: App, phone: string, password = DEMO_PASSWORD): Promise<{ authorization: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password, deviceName: 'test' } })
  if (res.statusCode !== 200) throw new Error(`sign-in of ${phone} failed: ${res.statusCode} ${res.body}`)
  return { authorization: `Bearer ${res.json().token}` }
}

/**
 * Folds every waiting report mark now: the summaries a push or pull leads to, without waiting for
 * the app's folder (which does the same within its interval).
 */
export const foldReports = (ctx: TestContext) => foldAllReportMarks(ctx.testDb.db)
