/**
 * Province-scale load (`npm run bench:load`, issue 14): 10,000 members, each with a session of
 * their own (made in the database, not by scrypt sign-ins), against a real server on a port in
 * its own process (bench/load.server.ts), on SQLite and then on PostgreSQL (a fresh schema).
 *
 * Phases, each printed: the floor (`GET /api/v1/auth/me`, authenticated and doing nothing else),
 * pulls only (nothing new: the phone's periodic check), pushes only (20 records each: study events
 * of every kind; one push in ten is a leader's meeting with the group's roll call), then the mix
 * (70 % pulls, 25 % pushes, 5 % leaders' and secretaries' reports). Throughout, a leader reads a
 * group report four times a second: the report lag is `generatedAt − asOf` of those answers.
 * Afterwards the summaries are compared with a full rebuild (nothing lost or doubled).
 *
 * LOAD_SECONDS (mix, default 30), LOAD_PHASE_SECONDS (other phases, default 10), LOAD_CLIENTS
 * (requests in flight, default 32), LOAD_WORKERS (server processes, as WORKERS for `npm start`;
 * the CPU of all of them is counted), BENCH_PG=0 skips PostgreSQL, BENCH_SQLITE=0 skips SQLite, LOAD_SERVER_ROOT runs the server
 * from another checkout (an old version, to compare), LOAD_PROFILE=dir profiles the server's CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { sql, type Kysely } from 'kysely'
import { connect, type DbHandle } from '../server/db/connect.ts'
import type { Database } from '../server/db/database.ts'
import { migrateToLatest } from '../server/db/migrate.ts'
import { isPostgres } from '../server/db/migrations/helpers.ts'
import { memberGroupsOf } from '../server/features/assignment/assignment.repository.ts'
import { hashToken } from '../server/features/auth/auth.repository.ts'
import { importContent } from '../server/features/content/import.ts'
import { foldAllReportMarks } from '../server/features/reports/reportFold.ts'
import { refreshAllReportStats } from '../server/features/reports/reportStats.repository.ts'
import { encodePullCursor, scopeToken } from '../server/features/sync/pull.cursor.ts'
import { PULL_TOUCH_MS } from '../server/features/sync/pull.repository.ts'
import { uuidv7 } from '../src/features/sync/uuidv7.ts'
import { createSchema, dropSchema, PG_URL } from './support/pg.ts'
import { percentile } from './support/timing.ts'

const MEMBERS = 10_000
const TOWNSHIPS = 10
const BRANCHES = 100
const GROUPS = 400
const MIX_SECONDS = Number(process.env.LOAD_SECONDS ?? 30)
const PHASE_SECONDS = Number(process.env.LOAD_PHASE_SECONDS ?? 10)
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 32)
const SERVER_ROOT = resolve(process.env.LOAD_SERVER_ROOT ?? '.')

interface Member {
  id: string
  group: number
  token: string
  cursor: string
}

/** Member i is in group i % 400; members 0–399 lead their group, 400–499 are their branch's secretary. */
async function populate(db: Kysely<Database>, now: number): Promise<{ members: Member[]; lessons: { id: string; course: string }[] }> {
  const unit = (id: string, parent: string | null, kind: 'district' | 'township' | 'branch' | 'group', path: string) => ({ id, parent_id: parent, kind, name: id, path, created_at: now })
  const units = [unit('d', null, 'district', '/d/')]
  const tPath = (t: number) => `/d/t${t}/`
  const bPath = (b: number) => `${tPath(b % TOWNSHIPS)}b${b}/`
  const gPath = (g: number) => `${bPath(Math.floor(g / 4))}g${g}/`
  for (let t = 0; t < TOWNSHIPS; t++) units.push(unit(`t${t}`, 'd', 'township', tPath(t)))
  for (let b = 0; b < BRANCHES; b++) units.push(unit(`b${b}`, `t${b % TOWNSHIPS}`, 'branch', bPath(b)))
  for (let g = 0; g < GROUPS; g++) units.push(unit(`g${g}`, `b${Math.floor(g / 4)}`, 'group', gPath(g)))
  await inChunks(units, (rows) => db.insertInto('org_unit').values(rows).execute())

  const people = Array.from({ length: MEMBERS }, (_, i) => ({
    id: `p${String(i).padStart(5, '0')}`,
    phone: `139${String(i).padStart(8, '0')}`,
    name: `党员${i}`,
    password_hash: 'not-used',
    org_unit_id: `g${i % GROUPS}`,
    is_flowing: i % 20 === 0 ? 1 : 0,
    is_elderly: i % 15 === 0 ? 1 : 0,
    status: 'active' as const,
    created_at: now,
    joined_party_at: now - 5 * 365 * 86_400_000,
  }))
  await inChunks(people, (rows) => db.insertInto('person').values(rows).execute())
  const roles = [
    ...Array.from({ length: GROUPS }, (_, g) => ({ person_id: people[g]!.id, org_unit_id: `g${g}`, role: 'group_leader' as const })),
    ...Array.from({ length: BRANCHES }, (_, b) => ({ person_id: people[GROUPS + b]!.id, org_unit_id: `b${b}`, role: 'secretary' as const })),
  ]
  await inChunks(roles, (rows) => db.insertInto('role').values(rows).execute())
  const tokens = people.map(() => randomBytes(32).toString('base64url'))
  const sessions = people.map((p, i) => ({
    id: randomUUID(),
    token_hash: hashToken(tokens[i]!),
    person_id: p.id,
    device_name: 'bench',
    created_at: now,
    last_seen_at: now,
    expires_at: now + 90 * 86_400_000,
    revoked_at: null,
    verified_at: now,
  }))
  await inChunks(sessions, (rows) => db.insertInto('session').values(rows).execute())
  // Every phone synced in the last few minutes, as at a morning peak: some pulls are due a write.
  const devices = people.map((p, i) => ({ person_id: p.id, device_id: `phone-${i}`, last_pull_at: now - ((i * 7919) % PULL_TOUCH_MS), last_push_at: null }))
  await inChunks(devices, (rows) => db.insertInto('sync_device').values(rows).execute())

  await importContent(db)
  const lessons = (await db.selectFrom('lesson').select(['id', 'course_id']).where('deleted_at', 'is', null).execute()).map((l) => ({ id: l.id, course: l.course_id }))
  const versions = await Promise.all(
    (['course', 'lesson', 'pocket_category', 'pocket_entry', 'question', 'quiz', 'assignment'] as const).map((t) =>
      db.selectFrom(t).select((eb) => eb.fn.max('version').as('v')).executeTakeFirst(),
    ),
  )
  const top = Math.max(0, ...versions.map((v) => Number(v?.v ?? 0)))
  await refreshAllReportStats(db, now)
  if (isPostgres(db as Kysely<unknown>)) await sql`analyze`.execute(db)
  // The cursor each phone holds after its last pull: everything up to now, for its scope.
  const members = people.map((p, i) => ({
    id: p.id,
    group: i % GROUPS,
    token: tokens[i]!,
    cursor: encodePullCursor({ kind: 'at', version: top, scope: scopeToken(gPath(i % GROUPS), memberGroupsOf({ ...p, is_committee: 0 }, now)) }),
  }))
  return { members, lessons }
}

async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size))
}

// ---- HTTP -------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })

function request(base: URL, method: string, path: string, token: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }))
        res.on('error', fail)
      },
    )
    req.on('error', fail)
    req.end(body)
  })
}

// ---- What phones and leaders send -------------------------------------------------------------

type Op = 'me' | 'pull' | 'push' | 'report'

const APP_NAME = 'pps_load'

interface World {
  base: URL
  serverPid: number
  /** PostgreSQL: the bench's own connection, to find the server's backends */
  pg?: Kysely<Database>
  members: Member[]
  lessons: { id: string; course: string }[]
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!
const STUDY_KINDS = ['opened', 'studied', 'studied', 'completed'] as const

function pushBody(w: World, i: number): string {
  const m = w.members[i]!
  const now = Date.now()
  const record = (kind: string, payload: unknown, k: number) => ({ id: uuidv7(), kind, payload, createdAt: now - 3_600_000 + k * 1000, deviceId: `phone-${i}` })
  const records: ReturnType<typeof record>[] = []
  // A leader's phone (one push in ten): a group meeting and its roll call, then the leader's study.
  if (i < GROUPS) {
    const meetingId = uuidv7()
    const orgUnitId = `g${m.group}`
    records.push(record('meeting_create', { meetingId, orgUnitId, type: 'group_meeting', startsAt: now - 7_200_000, endsAt: now - 3_600_000, place: '村部', topic: '学习党章', checkinCode: '123456' }, 0))
    const marks = w.members.filter((x) => x.group === m.group).map((x) => ({ personId: x.id, status: pick(['present', 'present', 'present', 'leave', 'absent'] as const) }))
    records.push(record('attendance_mark', { meetingId, orgUnitId, marks }, 1))
  }
  while (records.length < 20) {
    const l = pick(w.lessons)
    records.push(record('study_event', { lessonId: l.id, courseId: l.course, kind: pick(STUDY_KINDS), seconds: 30 + Math.floor(Math.random() * 900) }, records.length))
  }
  return JSON.stringify({ deviceId: `phone-${i}`, outboxCount: 20, records })
}

/** One request of the kind asked; returns whether it succeeded. */
async function send(w: World, op: Op): Promise<boolean> {
  if (op === 'me') return (await request(w.base, 'GET', '/api/v1/auth/me', pick(w.members).token)).status === 200
  if (op === 'pull') {
    const i = Math.floor(Math.random() * MEMBERS)
    const m = w.members[i]!
    const res = await request(w.base, 'GET', `/api/v1/sync/pull?deviceId=phone-${i}&since=${m.cursor}`, m.token)
    return res.status === 200 && (JSON.parse(res.text) as { changes: unknown[] }).changes.length === 0
  }
  if (op === 'push') {
    // Leaders send one push in ten.
    const i = Math.random() < 0.1 ? Math.floor(Math.random() * GROUPS) : GROUPS + Math.floor(Math.random() * (MEMBERS - GROUPS))
    const res = await request(w.base, 'POST', '/api/v1/sync/push', w.members[i]!.token, pushBody(w, i))
    return res.status === 200
  }
  // A leader's group or a secretary's branch.
  const leader = Math.random() < 0.7
  const i = leader ? Math.floor(Math.random() * GROUPS) : GROUPS + Math.floor(Math.random() * BRANCHES)
  const unit = leader ? `g${i}` : `b${i - GROUPS}`
  return (await request(w.base, 'GET', `/api/v1/reports/units/${unit}`, w.members[i]!.token)).status === 200
}

interface PhaseResult {
  seconds: number
  /** CPU seconds the server's processes and (PostgreSQL) its backends spent in the phase */
  cpu: Cpu
  counts: Record<Op, number>
  failed: number
  latency: Record<Op, number[]>
}

interface Cpu {
  server: number
  database: number
}

/** Clock ticks (user + system) of one process from /proc; 0 for one that ended. */
function ticksOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/** The server process and its workers (WORKERS=n forks them: node:cluster). */
function serverPids(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // ended while we looked
    }
  }
  const out = [root]
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []))
  return out
}

/**
 * CPU seconds used so far by the server's processes and, apart, by its PostgreSQL backends (Linux
 * /proc, found by application_name): what a request costs on the shared 2-core machine, whatever
 * else runs on it. A backend that ended takes its time with it (rare: the pools keep them).
 */
async function serverCpu(w: World): Promise<Cpu> {
  const backends = w.pg ? (await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APP_NAME}`.execute(w.pg)).rows.map((r) => r.pid) : []
  const sum = (pids: number[]) => pids.reduce((n, pid) => n + ticksOf(pid), 0) / 100
  return { server: sum(serverPids(w.serverPid)), database: sum(backends) }
}

/** `CLIENTS` loops, each sending one request after another, for `seconds`. */
async function phase(w: World, seconds: number, choose: () => Op): Promise<PhaseResult> {
  const cpuBefore = await serverCpu(w)
  const counts: Record<Op, number> = { me: 0, pull: 0, push: 0, report: 0 }
  const latency: Record<Op, number[]> = { me: [], pull: [], push: [], report: [] }
  let failed = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const op = choose()
        const t = performance.now()
        const ok = await send(w, op).catch(() => false)
        if (!ok) failed++
        else {
          counts[op]++
          latency[op].push(performance.now() - t)
        }
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const cpuAfter = await serverCpu(w)
  return { seconds: elapsed, cpu: { server: cpuAfter.server - cpuBefore.server, database: cpuAfter.database - cpuBefore.database }, counts, failed, latency }
}

/** A leader's group report four times a second: how far the figures trail the pushes. */
function lagSampler(w: World) {
  const lags: number[] = []
  let running = true
  const done = (async () => {
    while (running) {
      const res = await request(w.base, 'GET', '/api/v1/reports/units/g1', w.members[1]!.token).catch(() => undefined)
      if (res?.status === 200) {
        const r = JSON.parse(res.text) as { generatedAt: number; asOf?: number }
        lags.push(r.generatedAt - (r.asOf ?? r.generatedAt))
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  })()
  return {
    async stop() {
      running = false
      await done
      return lags.sort((a, b) => a - b)
    },
  }
}

const ms = (xs: number[], p: number) => (xs.length ? percentile([...xs].sort((a, b) => a - b), p).toFixed(1) : '–')
const rate = (r: PhaseResult, op: Op) => (r.counts[op] / r.seconds).toFixed(0)

/** Cores the figures are scaled to: this machine's two, with API and database sharing them. */
const IDLE_CORES = 2

function print(label: string, r: PhaseResult, ops: Op[], dialect: 'sqlite' | 'postgres') {
  const parts = ops.map((op) => `${op} ${rate(r, op)}/s (p50 ${ms(r.latency[op], 50)} / p95 ${ms(r.latency[op], 95)} / p99 ${ms(r.latency[op], 99)} ms)`)
  const total = ops.reduce((n, op) => n + r.counts[op], 0)
  // Per request of the phase's mix (a phase of one kind: per push, per pull): what two idle cores
  // would serve if the server and its database had them to themselves.
  const per = (s: number) => (s * 1000) / Math.max(1, total)
  const all = per(r.cpu.server + r.cpu.database)
  const split = dialect === 'postgres' ? `server ${per(r.cpu.server).toFixed(2)} + database ${per(r.cpu.database).toFixed(2)} = ${all.toFixed(2)}` : `server (SQLite in it) ${all.toFixed(2)}`
  const busy = (r.cpu.server + r.cpu.database) / r.seconds
  const unit = ops.length === 1 ? ops[0] : 'request'
  const cost = `CPU ms per ${unit}: ${split} (${busy.toFixed(2)} cores busy) → ${((IDLE_CORES * 1000) / all).toFixed(0)}/s on ${IDLE_CORES} idle cores`
  console.log(`  ${label.padEnd(12)} ${parts.join('; ')}${r.failed ? `; ${r.failed} failed` : ''}\n  ${''.padEnd(12)} ${cost}`)
}

// ---- One database -----------------------------------------------------------------------------

async function startServer(url: string, schema?: string): Promise<{ base: URL; child: ChildProcess }> {
  // Named, so the bench can find (and clock) the server's PostgreSQL backends.
  if (schema) url = `${url}${url.includes('?') ? '&' : '?'}application_name=${APP_NAME}`
  // LOAD_PROFILE=dir writes the server's CPU profile there (open it in Chrome's DevTools).
  const profile = process.env.LOAD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.LOAD_PROFILE)}`] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(SERVER_ROOT, 'bench/load.server.ts')], {
    cwd: SERVER_ROOT,
    env: { ...process.env, LOAD_DB_URL: url, LOAD_PG_SCHEMA: schema ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const first = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done)
    child.once('exit', (code) => fail(new Error(`server exited (${code})`)))
  })
  return { base: new URL(first), child }
}

async function run(dialect: 'sqlite' | 'postgres') {
  let handle: DbHandle
  let url: string
  let schema: string | undefined
  let cleanup: () => Promise<void>
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pps-load-'))
    url = join(dir, 'load.sqlite')
    handle = connect({ url })
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    schema = await createSchema('load')
    url = PG_URL
    handle = connect({ url, pgSchema: schema })
    cleanup = () => dropSchema(schema!)
  }
  console.log(`\n${dialect}:`)
  try {
    const t = performance.now()
    await migrateToLatest(handle.db)
    const { members, lessons } = await populate(handle.db, Date.now())
    console.log(`  setup        ${MEMBERS.toLocaleString('en')} members with sessions, ${lessons.length} lessons: ${((performance.now() - t) / 1000).toFixed(1)} s`)
    const { base, child } = await startServer(url, schema)
    const w: World = { base, members, lessons, serverPid: child.pid!, pg: dialect === 'postgres' ? handle.db : undefined }
    try {
      await phase(w, 2, () => pick(['me', 'pull', 'push'] as const))
      const lag = lagSampler(w)
      print('floor', await phase(w, Math.min(5, PHASE_SECONDS), () => 'me'), ['me'], dialect)
      print('pulls', await phase(w, PHASE_SECONDS, () => 'pull'), ['pull'], dialect)
      print('pushes', await phase(w, PHASE_SECONDS, () => 'push'), ['push'], dialect)
      const mix = await phase(w, MIX_SECONDS, () => {
        const r = Math.random()
        return r < 0.7 ? 'pull' : r < 0.95 ? 'push' : 'report'
      })
      print('mix', mix, ['pull', 'push', 'report'], dialect)
      const lags = await lag.stop()
      console.log(`  report lag   p50 ${ms(lags, 50)} / p95 ${ms(lags, 95)} / max ${ms(lags, 100)} ms (${lags.length} samples)`)
      console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`)
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
    // Nothing lost or doubled: what the folder made equals a rebuild from the records.
    await foldAllReportMarks(handle.db)
    const snapshot = () =>
      Promise.all([
        handle.db.selectFrom('report_person_stats').selectAll().orderBy('person_id').execute(),
        handle.db.selectFrom('report_unit_stats').selectAll().where('members', '>', 0).orderBy('org_unit_id').execute(),
        handle.db.selectFrom('report_unit_meetings').selectAll().orderBy('org_unit_id').orderBy('year').orderBy('type').execute(),
      ])
    const projected = JSON.stringify(await snapshot())
    await refreshAllReportStats(handle.db)
    console.log(`  summaries    ${JSON.stringify(await snapshot()) === projected ? 'equal to a full rebuild' : 'DIFFER from a full rebuild'}`)
  } finally {
    await handle.db.destroy()
    await cleanup()
  }
}

console.log(`bench:load: ${CLIENTS} requests in flight; phases of ${PHASE_SECONDS} s, mix of ${MIX_SECONDS} s; server from ${SERVER_ROOT}`)
if (process.env.BENCH_SQLITE !== '0') await run('sqlite')
if (process.env.BENCH_PG !== '0') await run('postgres')
agent.destroy()
