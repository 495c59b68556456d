/**
 * A process per core (`WORKERS=n`, issue 14): node:cluster forks n server processes that share
 * the one port (the primary hands out connections round-robin). The server is stateless, so any
 * worker may take any request. The primary only prepares the database (migrations, first seed)
 * before forking, and forks a worker again when one dies.
 *
 * Worker 0 alone runs the background jobs (the report folder, retention, partitions, backups):
 * on SQLite several processes folding at once would each hold the one writer's lock in turn for
 * nothing, and on PostgreSQL the fold's advisory lock already keeps other hosts out.
 */
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'

/** WORKERS: a count, or `auto` for one per core; 1 (a single process, no cluster) when unset. */
export function workersFrom(value: string | undefined): number {
  const text = value?.trim() ?? ''
  if (text === '') return 1
  if (text === 'auto') return availableParallelism()
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`WORKERS must be a whole number from 1 to 64 or "auto", not "${text}"`)
  return n
}

/** This process's worker number: 0 in a single process and in the first worker. */
export function workerIndex(): number {
  return cluster.isWorker ? Number(process.env.WORKER_INDEX ?? 0) : 0
}

/** In the primary: forks `count` workers, each told its number, and forks again any that dies unasked. */
export function forkWorkers(count: number, log: (message: string) => void): void {
  let stopping = false
  const fork = (index: number) => {
    const worker = cluster.fork({ WORKER_INDEX: String(index) })
    worker.once('exit', (code, signal) => {
      if (stopping) return
      log(`worker ${index} ended (${signal ?? code}); starting it again`)
      fork(index)
    })
  }
  for (let i = 0; i < count; i++) fork(i)
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}
