import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'

// node-pg returns int8 as strings to protect precision; our bigints are epoch ms, safe as numbers.
pg.types.setTypeParser(20, (v) => Number(v))

export type Dialect = 'sqlite' | 'postgres'

export interface DbHandle {
  db: Kysely<Database>
  dialect: Dialect
  /** PostgreSQL's connection pool, whose use the metrics report. */
  pool?: pg.Pool
  /** The SQLite connection itself, for its online backup API (server/backup/). */
  sqlite?: SQLite.Database
}

export interface ConnectOptions {
  /** postgres://… selects PostgreSQL; otherwise a SQLite file path (or ':memory:'). */
  url: string
  /** PostgreSQL schema to use (tests give each file its own). */
  pgSchema?: string
}

/** DATABASE_URL, or the embedded SQLite file under data/ (what `npm start` and the db:* commands use). */
export function databaseUrlFromEnv(): string {
  return process.env.DATABASE_URL ?? resolve('data/pocket-party-school.sqlite')
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

export function connect({ url, pgSchema }: ConnectOptions): DbHandle {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: Number(process.env.PG_POOL_MAX ?? 10),
      options: pgSchema ? `-c search_path=${pgSchema}` : undefined,
    })
    // An idle connection the database closed (a restart, a failover, an admin ending it) must not
    // crash the process: the pool drops it and opens a new one for the next query.
    pool.on('error', (err) => console.warn('PostgreSQL closed an idle connection:', err.message))
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: process.env.PG_PREPARED === '0' ? pool : withPreparedStatements(pool) }) }), dialect: 'postgres', pool }
  }
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true })
  const sqlite = new SQLite(url)
  // WAL lets readers run beside the single writer; NORMAL sync is durable across app crashes.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect: 'sqlite', sqlite }
}

/** Distinct statements one PostgreSQL connection keeps prepared: bounds the backend's memory. */
const PREPARED_PER_CONNECTION = 300

/**
 * node-pg sends every query unnamed, so PostgreSQL parses and analyses the same text again on
 * each request: in bench:load most of the database's CPU per pull and push. Named statements are
 * parsed once per connection and planned as PostgreSQL sees fit (custom plans first; a generic
 * plan only where it is no dearer). Only parameterised texts are named (a statement without
 * parameters may be several commands, which cannot be prepared), and at most
 * PREPARED_PER_CONNECTION per connection; the rest run unnamed as before. PgBouncer in
 * transaction mode keeps protocol-level prepared statements from version 1.21
 * (max_prepared_statements); PG_PREPARED=0 turns this off for an older pooler (docs/scaling.md).
 */
function withPreparedStatements(pool: pg.Pool) {
  const prepared = new WeakMap<pg.PoolClient, Set<string>>()
  const nameOf = (client: pg.PoolClient, text: string): string | undefined => {
    let names = prepared.get(client)
    if (!names) prepared.set(client, (names = new Set()))
    const name = `k${createHash('sha1').update(text).digest('base64url')}`
    if (names.has(name)) return name
    if (names.size >= PREPARED_PER_CONNECTION) return undefined
    names.add(name)
    return name
  }
  return {
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect()
      const query = client.query.bind(client) as (...args: unknown[]) => unknown
      return Object.assign(Object.create(client) as pg.PoolClient, {
        query: (text: unknown, values?: unknown[]) =>
          typeof text === 'string' && values && values.length > 0 ? query({ name: nameOf(client, text), text, values }) : query(text, values),
        release: (err?: Error | boolean) => client.release(err),
      })
    },
  }
}

/**
 * better-sqlite3 compiles a statement on every `prepare`, and Kysely prepares every query it runs:
 * a tenth of a busy server's time (bench:load's profile). Statements are kept by their SQL text
 * (the parameters vary, the text mostly does not), the most recently used up to a bound, so texts
 * that differ by the length of an IN list cannot grow the cache for ever.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string): SQLite.Statement {
      // Kysely begins every transaction with a plain (deferred) `begin`: it takes the write lock
      // only at its first write, and a transaction that read first then fails at once with
      // SQLITE_BUSY when another process wrote meanwhile (busy_timeout cannot help it). With
      // several processes on one file (WORKERS=n, a content import beside the server), every
      // transaction takes the lock at its start and waits its turn instead. One process has
      // one connection, whose transactions run one after another anyway.
      const text = sqlText === 'begin' ? 'begin immediate' : sqlText
      let stmt = cache.get(text)
      if (stmt) cache.delete(text)
      else stmt = sqlite.prepare(text)
      cache.set(text, stmt)
      if (cache.size > max) cache.delete(cache.keys().next().value!)
      return stmt
    },
  }
}
