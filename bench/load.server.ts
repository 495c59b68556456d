/**
 * The server half of `npm run bench:load`, in its own process so the load generator does not
 * share its event loop: connects to the database bench/load.ts prepared (LOAD_DB_URL, and
 * LOAD_PG_SCHEMA on PostgreSQL), listens on a free port and prints its address as one line.
 */
import { buildApp } from '../server/app.ts'
import { connect } from '../server/db/connect.ts'

const handle = connect({ url: process.env.LOAD_DB_URL!, pgSchema: process.env.LOAD_PG_SCHEMA || undefined })
const app = await buildApp({ handle })
const address = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(address)

process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => handle.db.destroy())
    .then(() => process.exit(0))
})
