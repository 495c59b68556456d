/**
 * The numbers an operator watches, in Prometheus' text format at GET /api/metrics.
 *
 * One registry per process: each instance behind a load balancer exposes its own counts, and
 * Prometheus adds them up. Nothing here is shared through the database, so a scrape costs no
 * query. Labels hold route patterns and fixed codes only, never ids, phones or raw URLs: every
 * label value multiplies the series stored, and a URL would also leak who asked for what.
 */
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { PushResult } from '../../src/protocol/sync.ts'

export const metricsRegistry = new Registry()

// Process CPU, memory, GC and the event-loop lag (nodejs_eventloop_lag_seconds and the
// nodejs_eventloop_lag_p99_seconds family).
collectDefaultMetrics({ register: metricsRegistry })

const httpDuration = new Histogram({
  name: 'pps_http_request_duration_seconds',
  help: 'Time to answer a request, by method, route pattern and status (its _count is the request count)',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
})

const pushRecords = new Counter({
  name: 'pps_sync_push_records_total',
  help: 'Records phones pushed, by outcome (applied, duplicate, rejected) and rejection code',
  labelNames: ['status', 'code'] as const,
  registers: [metricsRegistry],
})

const outboxBacklog = new Histogram({
  name: 'pps_sync_outbox_backlog_records',
  help: 'Records waiting on a phone when it pushed (the outboxCount of each push that sent one)',
  buckets: [1, 10, 50, 200, 1000, 5000],
  registers: [metricsRegistry],
})

const pullPages = new Counter({
  name: 'pps_sync_pull_pages_total',
  help: 'Pull pages served',
  registers: [metricsRegistry],
})

const pullChanges = new Counter({
  name: 'pps_sync_pull_changes_total',
  help: 'Changed rows sent in pull pages',
  registers: [metricsRegistry],
})

const reportLag = new Gauge({
  name: 'pps_report_lag_seconds',
  help: 'How far the report projection trails the events it is built from (0 while reports are computed on request)',
  registers: [metricsRegistry],
})

const pools = new Set<pg.Pool>()
new Gauge({
  name: 'pps_db_pool_connections',
  help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one (absent on SQLite)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset()
    for (const pool of pools) {
      this.inc({ state: 'total' }, pool.totalCount)
      this.inc({ state: 'idle' }, pool.idleCount)
      this.inc({ state: 'waiting' }, pool.waitingCount)
    }
  },
})

/** Reports the pool's use at every scrape until the returned function is called (app close). */
export function watchPool(pool: pg.Pool): () => void {
  pools.add(pool)
  return () => {
    pools.delete(pool)
  }
}

/** Times every answer under its route pattern; requests matching no route count as "unmatched". */
export function registerRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    httpDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000)
  })
}

export function countPush(results: readonly PushResult[], outboxCount: number | undefined): void {
  for (const r of results) pushRecords.inc({ status: r.status, code: r.status === 'rejected' ? r.code : '' })
  if (outboxCount !== undefined) outboxBacklog.observe(outboxCount)
}

export function countPullPage(changes: number): void {
  pullPages.inc()
  pullChanges.inc(changes)
}

/** How old the oldest event not yet folded into the report summaries is (0 when caught up); set by the report folder after each fold. */
export function setReportLag(seconds: number): void {
  reportLag.set(Math.max(0, seconds))
}
