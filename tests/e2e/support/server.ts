/**
 * Runs the real server (`server/main.ts`) as a child process for one test file: its own port,
 * its own SQLite file and its own copy of `dist/`. The copy matters twice: a test can rewrite
 * `sw.js` to simulate a deploy, and another engineer rebuilding `dist/` meanwhile cannot pull
 * files from under the browser.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect } from '../../../server/db/connect.ts'
import { migrateToLatest } from '../../../server/db/migrate.ts'
import { seedDemo } from '../../../server/seed/demo.ts'
import { TEST_COST } from '../../support/testApp.ts'

export const ROOT = join(import.meta.dirname, '../../..')
const DIST = join(ROOT, 'dist')

export interface E2eServer {
  /** http://127.0.0.1:<port> */
  url: string
  /** The served copy of dist/; tests may change files in it. */
  staticDir: string
  dbFile: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** Files index.html and sw.js point at; a build in progress leaves some of them missing. */
function missingFiles(dir: string): string[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8')
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8')
  const fromHtml = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]!)
  const fromSw = [...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]!.replace(/^\//, ''))
  return [...fromHtml, ...fromSw].filter((f) => !existsSync(join(dir, f)))
}

/** Copies dist/ to a temp folder, retrying while a concurrent `npm run build` is half-way. */
async function copyDist(into: string): Promise<void> {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(join(DIST, 'sw.js'))) {
    throw new Error('dist/ is missing or incomplete: run `npm run build` before the e2e tests')
  }
  for (let attempt = 1; ; attempt++) {
    rmSync(into, { recursive: true, force: true })
    try {
      cpSync(DIST, into, { recursive: true })
      const missing = missingFiles(into)
      if (missing.length === 0) return
      if (attempt >= 10) throw new Error(`dist/ is half-written (missing ${missing.join(', ')}): run \`npm run build\` and retry`)
    } catch (err) {
      if (attempt >= 10) throw err
    }
    await sleep(1000)
  }
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  // Generous: a server that must seed itself hashes ~124 passwords with production-cost scrypt.
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(`${url}/api/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(200)
  }
  throw new Error(`the server did not answer /api/health within 90 s:\n${output()}`)
}

/**
 * Seeds the demo organisation with cheap scrypt before the server starts, as the API tests do:
 * seeding with production cost takes half a minute on a busy two-core machine. The server then
 * finds a seeded database and skips its own seeding; everything else is the production path.
 */
async function seedDatabase(dbFile: string): Promise<void> {
  const handle = connect({ url: dbFile })
  try {
    await migrateToLatest(handle.db)
    await seedDemo(handle.db, { passwordCost: TEST_COST })
  } finally {
    await handle.db.destroy()
  }
}

/** `env`: extra environment for the server, e.g. CONTENT_DIR for a generated content/ folder. */
export async function startServer({ env = {} }: { env?: Record<string, string> } = {}): Promise<E2eServer> {
  const tmp = mkdtempSync(join(tmpdir(), 'pps-e2e-'))
  const staticDir = join(tmp, 'dist')
  const dbFile = join(tmp, 'db.sqlite')
  try {
    await Promise.all([copyDist(staticDir), seedDatabase(dbFile)])
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let log = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: dbFile, STATIC_DIR: staticDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  async function stop(): Promise<void> {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])
      if (!killed) {
        child.kill('SIGKILL')
        await exited
      }
    }
    rmSync(tmp, { recursive: true, force: true })
  }

  try {
    await waitForHealth(url, child, () => log)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, staticDir, dbFile, stop }
}
