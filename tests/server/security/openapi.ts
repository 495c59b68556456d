/**
 * What the security proofs share: the operations of `/api/openapi.json`, request values built
 * from their schemas, the demo accounts as actors, real targets inside and outside those
 * actors' subtrees, and a fingerprint of every table to show that a refused request wrote nothing.
 */
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { Dialect } from '../../../server/db/connect.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { NAME_PATTERN } from '../../../src/protocol/names.ts'

export type Schema = {
  type?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  enum?: unknown[]
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  nullable?: boolean
}

export interface Operation {
  method: string
  /** OpenAPI spelling, e.g. `/api/v1/org/units/{id}`: the key of the matrix. */
  path: string
  pathParams: Record<string, Schema>
  query: Schema
  body?: Schema
}

export const keyOf = (op: Operation) => `${op.method} ${op.path}`

export async function loadOperations(ctx: TestContext): Promise<Operation[]> {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })
  const doc = res.json() as { paths: Record<string, Record<string, OpenApiOperation>> }
  const ops: Operation[] = []
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const params = op.parameters ?? []
      const query: Schema = { type: 'object', properties: {}, required: [] }
      const pathParams: Record<string, Schema> = {}
      for (const p of params) {
        if (p.in === 'path') pathParams[p.name] = p.schema
        if (p.in === 'query') {
          query.properties![p.name] = p.schema
          if (p.required) query.required!.push(p.name)
        }
      }
      ops.push({ method: method.toUpperCase(), path, pathParams, query, body: op.requestBody?.content['application/json']?.schema })
    }
  }
  return ops
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[]
  requestBody?: { content: Record<string, { schema: Schema }> }
}

// ---------------------------------------------------------------- actors and targets

export interface SecurityContext {
  ctx: TestContext
  ops: Operation[]
  actors: Record<Role, Actor>
  targets: Targets
}

/** A seeded app, its operations and the signed-in demo roles; `prepare` adds rows before targets are read. */
export async function openSecurityContext(
  dialect: Dialect,
  prepare?: (ctx: TestContext, actors: Record<Role, Actor>) => Promise<void>,
): Promise<SecurityContext> {
  const ctx = await buildTestApp(dialect)
  const ops = await loadOperations(ctx)
  const actors = await signInActors(ctx)
  await prepare?.(ctx, actors)
  return { ctx, ops, actors, targets: await loadTargets(ctx, actors) }
}

export const ROLES = ['anonymous', 'member', 'leader', 'secretary', 'supervisor', 'admin'] as const
export type Role = (typeof ROLES)[number]
const PHONE: Record<Exclude<Role, 'anonymous'>, string> = {
  member: DEMO_LOGINS[0].phone,
  leader: DEMO_LOGINS[2].phone,
  secretary: DEMO_LOGINS[3].phone,
  supervisor: DEMO_LOGINS[4].phone,
  admin: DEMO_LOGINS[5].phone,
}

export interface Actor {
  role: Role
  personId: string
  sessionId: string
  headers: Record<string, string>
}

/** Signs in every demo role; `anonymous` stands for the member's identity without a token. */
export async function signInActors(ctx: TestContext): Promise<Record<Role, Actor>> {
  const actors = {} as Record<Role, Actor>
  for (const role of ROLES) {
    const phone = PHONE[role === 'anonymous' ? 'member' : role]
    const personId = ctx.seed.people.find((p) => p.phone === phone)!.id
    if (role === 'anonymous') {
      actors[role] = { role, personId, sessionId: '00000000-0000-4000-8000-000000000000', headers: {} }
      continue
    }
    const { authorization } = await signIn(ctx.app, phone)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { authorization } })
    actors[role] = { role, personId, sessionId: me.json()[0].id, headers: { authorization } }
  }
  return actors
}

/** Signs the actor in again when an operation ended its session (logout, a session deleted). */
export async function renewSession(ctx: TestContext, actor: Actor): Promise<void> {
  if (actor.role === 'anonymous') return
  const check = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: actor.headers })
  if (check.statusCode !== 401) return
  const { phone } = await ctx.testDb.db.selectFrom('person').select('phone').where('id', '=', actor.personId).executeTakeFirstOrThrow()
  const { authorization } = await signIn(ctx.app, phone)
  actor.headers = { authorization }
  const sessions = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: actor.headers })
  actor.sessionId = sessions.json()[0].id
}

/**
 * own: inside the member's group, so inside every role's subtree (for a person: the caller);
 * person: another plain member of that group; other: inside the second township, which only the
 * district admin may reach.
 */
export type Scope = 'own' | 'person' | 'other'

export type Resource = 'unit' | 'person' | 'meeting' | 'lecturer' | 'lecturerRequest' | 'planItem' | 'assignment' | 'studyPoint' | 'homeVisit' | 'flowingRecord' | 'reflection' | 'exam' | 'survey' | 'session'

/** Which table a path parameter points into, from the path segment before it. */
function resourceOfPathParam(path: string, name: string): Resource {
  if (name === 'personId') return 'person'
  if (name === 'orgUnitId') return 'unit'
  if (name === 'meetingId') return 'meeting'
  const segment = path.split(`/{${name}}`)[0]!.split('/').pop()!
  const bySegment: Record<string, Resource> = {
    units: 'unit', groups: 'unit', people: 'person', meetings: 'meeting', lecturers: 'lecturer',
    'lecturer-requests': 'lecturerRequest', items: 'planItem', assignments: 'assignment', 'study-points': 'studyPoint',
    'home-visits': 'homeVisit', 'flowing-records': 'flowingRecord', reflections: 'reflection', sessions: 'session', exams: 'exam', surveys: 'survey',
    // Studio videos live in video_job, which the matrix does not seed: any id is one no video has.
    videos: 'planItem',
  }
  const resource = bySegment[segment]
  if (!resource) throw new Error(`no target table for {${name}} of ${path}: add its segment to resourceOfPathParam`)
  return resource
}

/** Body and query fields that carry an id, by name. */
function resourceOfField(name: string): Resource | undefined {
  if (/^(orgUnitId|parentId|moveTo)$/.test(name)) return 'unit'
  if (/^(personId|personIds|actorId)$/.test(name)) return 'person'
  if (name === 'meetingId') return 'meeting'
  return undefined
}

export interface Targets {
  pick(resource: Resource, scope: Scope, caller: Actor): string
  /** Every real id of a resource, plus the demo accounts left out of `person`. */
  all(resource: Resource): string[]
}

const TARGET_QUERIES: Record<Exclude<Resource, 'unit' | 'person' | 'session'>, { table: string; unit: string }> = {
  meeting: { table: 'meeting', unit: 'org_unit_id' },
  lecturer: { table: 'lecturer', unit: 'org_unit_id' },
  lecturerRequest: { table: 'lecturer_request', unit: 'org_unit_id' },
  planItem: { table: 'study_plan_item', unit: 'org_unit_id' },
  assignment: { table: 'assignment', unit: 'org_unit_id' },
  studyPoint: { table: 'study_point', unit: 'org_unit_id' },
  homeVisit: { table: 'home_visit', unit: 'org_unit_id' },
  flowingRecord: { table: 'flowing_record', unit: 'org_unit_id' },
  reflection: { table: 'reflection', unit: 'org_unit_id' },
  exam: { table: 'exam', unit: 'org_unit_id' },
  survey: { table: 'survey', unit: 'org_unit_id' },
}

/** Reads the rows that exist now and sorts them into the scopes. */
export async function loadTargets(ctx: TestContext, actors: Record<Role, Actor>): Promise<Targets> {
  const db = ctx.testDb.db
  const units = ctx.seed.units
  const group0 = units.find((u) => u.kind === 'group')!
  const township1 = units.filter((u) => u.kind === 'township')[1]!
  const unitPath = new Map(units.map((u) => [u.id, u.path]))
  const actorIds = new Set(Object.values(actors).map((a) => a.personId))
  const plain = (unit: string) =>
    ctx.seed.people.filter((p) => !actorIds.has(p.id) && unitPath.get(p.org_unit_id)!.startsWith(unit)).map((p) => p.id)

  const rows = new Map<Resource, { id: string; path: string }[]>()
  for (const [resource, q] of Object.entries(TARGET_QUERIES)) {
    const found = await db
      .selectFrom(q.table as 'meeting')
      .select(['id', sql<string>`${sql.ref(q.unit)}`.as('unit')])
      // A fixed order: PostgreSQL returns an updated row last, which would change the pick mid-run.
      .orderBy('id')
      .execute()
    rows.set(resource as Resource, found.map((r) => ({ id: String(r.id), path: unitPath.get(r.unit) ?? '' })))
  }
  // Deepest first: a row inside the member's own group is the strongest "own" target.
  const depth = (path: string) => path.split('/').length
  const within = (list: { id: string; path: string }[], root: string) =>
    list.filter((r) => r.path.startsWith(root)).sort((a, b) => depth(b.path) - depth(a.path))
  const ownRoot = (r: Resource) => {
    const list = rows.get(r) ?? []
    // Nearest to the member's group: inside it, else inside the branch, else the township, else above.
    for (const root of [group0.path, ...ancestors(group0.path)]) {
      const hit = within(list, root)[0]
      if (hit) return hit.id
    }
    return list[0]?.id
  }
  const missing = '00000000-0000-4000-8000-00000000dead'

  return {
    pick(resource, scope, caller) {
      if (resource === 'unit') return scope === 'other' ? township1.id : group0.id
      if (resource === 'person') {
        if (scope === 'own') return caller.personId
        return (scope === 'person' ? plain(group0.path) : plain(township1.path))[0]!
      }
      if (resource === 'session') return scope === 'own' ? caller.sessionId : actors[caller.role === 'admin' ? 'member' : 'admin'].sessionId
      if (scope === 'other') return within(rows.get(resource) ?? [], township1.path)[0]?.id ?? missing
      return ownRoot(resource) ?? missing
    },
    all(resource) {
      if (resource === 'unit') return units.map((u) => u.id)
      if (resource === 'person') return ctx.seed.people.map((p) => p.id).filter((id) => !actorIds.has(id))
      if (resource === 'session') return [missing]
      return (rows.get(resource) ?? []).map((r) => r.id)
    },
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, parts.length - 1 - i).join('/')}/`).concat('/')
}

// ---------------------------------------------------------------- values from schemas

/** Valid samples for the patterns our schemas use; an unknown pattern fails loudly. */
const PATTERN_SAMPLES: Record<string, (n: number) => string> = {
  '^1[3-9][0-9]{9}$': (n) => `137${String(n).padStart(8, '0').slice(-8)}`,
  '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$': (n) => uuid7(n),
  '\\S': () => 'x',
  '^s-[a-z0-9]{1,40}$': (n) => `s-${n}`,
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': (n) => uuid7(n),
  '^20[0-9]{2}-(0[1-9]|1[0-2])$': () => '2026-03',
  '^[0-9a-fA-F-]{36}$': (n) => uuid7(n),
  '^[0-9]{1,15}_[0-9a-f-]{36}$': (n) => `0_${uuid7(n)}`,
  '^[0-9]{4}-(0[1-9]|1[0-2])$': () => '2026-03',
  '^[0-9+ -]*$': () => '0731-8888',
  [NAME_PATTERN]: (n) => `矩阵${n}`,
  '^[a-z0-9][a-z0-9-]{0,63}$': (n) => `matrix-${n}`,
}

function uuid7(n: number): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12)
  return `01900000-0000-7000-8000-${hex}`
}

/** Deterministic randomness (mulberry32): the same seed gives the same requests on every run. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(max: number): number {
    return Math.floor(this.next() * max)
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!
  }
}

export interface Sampler {
  /** An id of the resource a field names, or undefined for a plain field. */
  id(resource: Resource): string
  rng: Rng
  /** How often an optional field is sent (default 0.5); `ids`: only the optional fields that hold an id. */
  optional?: number | 'ids'
}

/** A value the schema accepts: ids from the sampler, the first enum value, mid-range numbers. */
export function sample(schema: Schema | undefined, name: string, s: Sampler): unknown {
  if (!schema) return {}
  if (schema.anyOf) return sample(schema.anyOf[0], name, s)
  if (schema.enum) return schema.enum[0]
  const resource = resourceOfField(name)
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const props = schema.properties ?? {}
      // Required fields, and the optional ones the route would otherwise never see.
      for (const [k, v] of Object.entries(props)) {
        if (schema.required?.includes(k) || sendOptional(k, s)) out[k] = sample(v, k, s)
      }
      // A patch must change something (minProperties): send its first field.
      if (Object.keys(out).length < (schema.minProperties ?? 0)) {
        const [k, v] = Object.entries(props)[0]!
        out[k] = sample(v, k, s)
      }
      return out
    }
    case 'array': {
      const n = Math.max(schema.minItems ?? 0, 1)
      return Array.from({ length: n }, (_, i) => sample(schema.items, i === 0 ? name : `${name}.${i}`, s))
    }
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum === undefined ? 0 : schema.exclusiveMinimum + 1)
      const hi = schema.maximum ?? lo + 100
      if (name === 'year') return 2026
      if (name === 'month') return 3
      return Math.max(lo, Math.min(hi, lo + 1))
    }
    case 'boolean':
      return false
    case 'string': {
      if (resource) return s.id(resource)
      if (schema.pattern) {
        const make = PATTERN_SAMPLES[schema.pattern]
        if (!make) throw new Error(`no sample for pattern ${schema.pattern} (field ${name}): add one to PATTERN_SAMPLES`)
        return make(s.rng.int(1e9))
      }
      const min = schema.minLength ?? 0
      const text = `fuzz ${name}`
      return text.length >= min ? text.slice(0, schema.maxLength ?? text.length) : text.padEnd(min, 'x')
    }
    default:
      // Schemaless (a push record's payload): a small object.
      return { note: 'fuzz' }
  }
}

/** Whether any id in the request (path, query, body) points into `resource`, or into anything. */
export function usesResource(op: Operation, resource?: Resource): boolean {
  const hit = (r: Resource | undefined) => r !== undefined && (resource === undefined || r === resource)
  if (Object.keys(op.pathParams).some((name) => hit(resourceOfPathParam(op.path, name)))) return true
  const inSchema = (schema: Schema | undefined, name: string): boolean => {
    if (!schema) return false
    if (schema.type === 'string' || schema.anyOf) return hit(resourceOfField(name))
    if (schema.type === 'array') return inSchema(schema.items, name)
    return Object.entries(schema.properties ?? {}).some(([k, v]) => inSchema(v, k))
  }
  return inSchema(op.query, '') || inSchema(op.body, '')
}

function sendOptional(name: string, s: Sampler): boolean {
  if (s.optional === 'ids') return resourceOfField(name) !== undefined
  return s.rng.next() < (s.optional ?? 0.5)
}

export function isIdField(name: string): boolean {
  return resourceOfField(name) !== undefined
}

/** Path parameters of an operation, each an id of the table it points into. */
export function pathIds(op: Operation, pick: (resource: Resource) => string): Record<string, string> {
  return Object.fromEntries(Object.keys(op.pathParams).map((name) => [name, pick(resourceOfPathParam(op.path, name))]))
}

export function urlOf(op: Operation, params: Record<string, string>, query: Record<string, unknown>): string {
  // Values are already percent-encoded where a test wants raw bytes (a lone surrogate in a URL).
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!)
  const pairs: string[] = []
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) pairs.push(`${k}=${typeof one === 'string' ? one : encodeURIComponent(String(one))}`)
  }
  return pairs.length ? `${path}?${pairs.join('&')}` : path
}

/** Percent-encodes a value for a URL; a lone surrogate becomes the bytes a careless client sends. */
export function encodeForUrl(value: string): string {
  return [...value]
    .map((ch) => {
      const code = ch.charCodeAt(0)
      if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) return '%ED%A0%80'
      return encodeURIComponent(ch)
    })
    .join('')
}

// ---------------------------------------------------------------- nothing written

/** Tables a refused request may still touch by design: login throttling and session freshness. */
const VOLATILE = new Set(['rate_limit', 'session'])

/**
 * Sign-in events are audited on purpose even when refused (a failed sign-in or a wrong password at
 * step-up must leave a trace, docs/security.md), so `auth.*` audit rows are not "writes" here.
 */
const isSignInAudit = (table: string, row: Record<string, unknown>) => table === 'audit_log' && String(row.action).startsWith('auth.')

/** One digest per table over every row, so an UPDATE shows as well as an INSERT or DELETE. */
export async function tableDigests(ctx: TestContext): Promise<Map<string, string>> {
  const db = ctx.testDb.db
  const digests = new Map<string, string>()
  if (ctx.testDb.dialect === 'postgres') {
    const tables = (await tableNames(ctx)).filter((t) => !VOLATILE.has(t))
    // One round trip: PostgreSQL hashes each table's rows itself.
    const parts = tables.map(
      (t) =>
        sql`select ${t}::text as t, count(*)::int as n, coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as h from ${sql.table(t)} x ${
          t === 'audit_log' ? sql`where x.action not like 'auth.%'` : sql``
        }`,
    )
    const { rows } = await sql<{ t: string; n: number; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db)
    for (const r of rows) digests.set(r.t, `${r.n}:${r.h}`)
    return digests
  }
  for (const t of (await tableNames(ctx)).filter((n) => !VOLATILE.has(n))) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db)
    const kept = rows.filter((r) => !isSignInAudit(t, r))
    const lines = kept.map((r) => JSON.stringify(r)).sort()
    digests.set(t, `${kept.length}:${createHash('md5').update(lines.join('|')).digest('hex')}`)
  }
  return digests
}

/** This test's own tables (PostgreSQL: its schema only; views left out). */
async function tableNames(ctx: TestContext): Promise<string[]> {
  const db = ctx.testDb.db
  if (ctx.testDb.dialect === 'postgres') {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db)
    return rows.map((r) => r.name)
  }
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1`.execute(db)
  return rows.map((r) => r.name)
}

/** Table names whose digest differs. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t))
}
