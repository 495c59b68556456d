import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { setReportLag } from '../../../server/shared/metrics.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS, openTestDb, type TestDb } from '../../support/testDb.ts'

/** One series' value in a scrape (0 when absent): counters are per process, so tests compare before and after. */
function valueOf(scrape: string, series: string): number {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

describe.each(DIALECTS)('metrics on %s', (dialect) => {
  let ctx: TestContext
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
  })
  afterAll(() => ctx.close())

  const scrape = async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    return res.body
  }

  it('counts requests by route pattern, push records by outcome, backlog and pull pages, with no ids in labels', async () => {
    const before = await scrape()
    const member = await signIn(ctx.app, '13800000001')
    const unitId = ctx.seed.units[0]!.id
    // The district: a member may not look, so 403; the id must still not reach a label.
    await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${unitId}`, headers: member })
    const now = Date.now()
    const study = { id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l1', courseId: 'c1', kind: 'opened', seconds: 0 }, createdAt: now, deviceId: 'phone' }
    const push = (records: object[]) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'phone', outboxCount: 7, records } })
    const first = await push([study, { ...study, id: uuidv7(), kind: 'no_such_kind' }])
    expect(first.json().results.map((r: { status: string }) => r.status)).toEqual(['applied', 'rejected'])
    await push([study])
    await ctx.app.inject({ method: 'GET', url: '/api/v1/sync/pull', headers: member })

    const after = await scrape()
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series)
    expect(delta('pps_http_request_duration_seconds_count{method="GET",route="/api/v1/org/units/:id",status_code="403"}')).toBe(1)
    expect(delta('pps_http_request_duration_seconds_count{method="POST",route="/api/v1/sync/push",status_code="200"}')).toBe(2)
    expect(delta('pps_sync_push_records_total{status="applied",code=""}')).toBe(1)
    expect(delta('pps_sync_push_records_total{status="duplicate",code=""}')).toBe(1)
    expect(delta('pps_sync_push_records_total{status="rejected",code="UNKNOWN_KIND"}')).toBe(1)
    expect(delta('pps_sync_outbox_backlog_records_count')).toBe(2)
    expect(delta('pps_sync_outbox_backlog_records_sum')).toBe(14)
    expect(delta('pps_sync_pull_pages_total')).toBe(1)
    expect(after).not.toContain(unitId)
    expect(after).not.toContain('13800000001')
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds \d/m)
  })

  it('reports the pool on PostgreSQL and the report lag the projection sets', async () => {
    const pool = valueOf(await scrape(), 'pps_db_pool_connections{state="total"}')
    if (dialect === 'postgres') expect(pool).toBeGreaterThan(0)
    else expect(await scrape()).not.toContain('pps_db_pool_connections{')
    expect(valueOf(await scrape(), 'pps_report_lag_seconds')).toBe(0)
    setReportLag(42)
    expect(valueOf(await scrape(), 'pps_report_lag_seconds')).toBe(42)
    setReportLag(0)
  })

  it('is ready once migrated and the database answers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/ready' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready' })
  })
})

describe('metrics protection and readiness', () => {
  // No seed needed: these read no data, so an empty migrated database keeps them quick.
  let ctx: { app: App; testDb: TestDb }
  beforeAll(async () => {
    const testDb = await openTestDb('sqlite')
    ctx = { testDb, app: await buildApp({ handle: testDb }) }
  })
  afterAll(async () => {
    await ctx.app.close()
    await ctx.testDb.drop()
  })

  it('without METRICS_TOKEN, answers this machine and private networks, refuses public and proxied callers', async () => {
    const status = async (remoteAddress: string, headers: Record<string, string> = {}) =>
      (await ctx.app.inject({ method: 'GET', url: '/api/metrics', remoteAddress, headers })).statusCode
    expect(await status('127.0.0.1')).toBe(200)
    expect(await status('10.20.30.40')).toBe(200)
    expect(await status('::ffff:192.168.1.5')).toBe(200)
    expect(await status('203.0.113.9')).toBe(403)
    expect(await status('172.32.0.1')).toBe(403)
    // Through nginx on the same machine: the socket is loopback, the caller is anyone.
    expect(await status('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).toBe(403)
    expect(await status('127.0.0.1', { 'x-real-ip': '203.0.113.9' })).toBe(403)
  })

  it('with METRICS_TOKEN, wants that bearer token from every caller, private or not', async () => {
    const app = await buildApp({ handle: ctx.testDb, metricsToken: 'scrape-secret' })
    try {
      const status = async (remoteAddress: string, authorization?: string) =>
        (await app.inject({ method: 'GET', url: '/api/metrics', remoteAddress, headers: authorization ? { authorization } : {} })).statusCode
      expect(await status('127.0.0.1')).toBe(401)
      expect(await status('203.0.113.9', 'Bearer wrong')).toBe(401)
      expect(await status('203.0.113.9', 'Bearer scrape-secret')).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('is not ready before the migrations ran, and says which are missing', async () => {
    const empty = await openTestDb('sqlite', { migrate: false })
    const app = await buildApp({ handle: empty })
    try {
      const res = await app.inject({ method: 'GET', url: '/api/ready' })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ code: 'NOT_READY', message: expect.stringContaining('001_accounts') })
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200)
    } finally {
      await app.close()
      await empty.drop()
    }
  })

  it('is not ready when the database is gone', async () => {
    const db = await openTestDb('sqlite')
    const app = await buildApp({ handle: db })
    try {
      await db.drop()
      const res = await app.inject({ method: 'GET', url: '/api/ready' })
      expect(res.statusCode).toBe(503)
      expect(res.json().code).toBe('DATABASE_UNAVAILABLE')
    } finally {
      await app.close()
    }
  })
})
