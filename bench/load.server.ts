/**
 * The server half of `npm run bench:load`, in its own process so the load generator does not
 * share its event loop: connects to the database bench/load.ts prepared (LOAD_DB_URL, and
 * LOAD_PG_SCHEMA on PostgreSQL), listens on a free port and prints its address as one line.
 * LOAD_WORKERS=n serves from n processes sharing the port, as `WORKERS=n npm start` does
 * (server/cluster.ts): worker 0 folds the reports.
 */
import cluster from 'node:cluster'
import { buildApp } from '../server/app.ts'
import { forkWorkers, workerIndex, workersFrom } from '../server/cluster.ts'
import { connect } from '../server/db/connect.ts'

const workers = workersFrom(process.env.LOAD_WORKERS)
if (cluster.isPrimary && workers > 1) {
  forkWorkers(workers, (message) => console.error(message))
  let listening = 0
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers) console.log(`http://127.0.0.1:${address.port}`)
  })
} else {
  const handle = connect({ url: process.env.LOAD_DB_URL!, pgSchema: process.env.LOAD_PG_SCHEMA || undefined })
  const app = await buildApp({ handle, ...(workerIndex() === 0 ? {} : { reportFoldMs: false as const }) })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  if (cluster.isPrimary) console.log(address)
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => handle.db.destroy())
      .then(() => process.exit(0))
  })
}
