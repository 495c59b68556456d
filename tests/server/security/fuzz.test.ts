/**
 * Schema-driven fuzz of every operation in /api/openapi.json: requests built from each schema,
 * then broken one way (a missing field, a wrong type, NUL, a lone surrogate, a huge string, a
 * body beyond the limit, an extreme number, a junk id), sent as every role. No answer may be a
 * 5xx, and a refused request (4xx) must leave every table as it was. Seeded: the same requests
 * on every run, so a failure can be replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import {
  changedTables, encodeForUrl, isIdField, keyOf, openSecurityContext, pathIds, renewSession, ROLES, Rng, sample,
  tableDigests, urlOf, type Actor, type Operation, type Role, type Schema, type Targets,
} from './openapi.ts'

const SEED = 20261203
/** Requests per operation and role; anonymous callers meet the sign-in wall, so fewer suffice. */
const CASES: Record<Role, number> = { anonymous: 2, member: 3, leader: 3, secretary: 3, supervisor: 3, admin: 3 }
const MUTATIONS = ['valid', 'missing', 'wrongType', 'nul', 'surrogate', 'huge', 'oversize', 'extreme', 'junkId'] as const
type Mutation = (typeof MUTATIONS)[number]
/** Beyond every body limit of the API (1 MiB, imports 512 KiB, push 256 KiB). */
const OVERSIZE = 1024 * 1024 + 1

const JUNK_IDS = ['x', "' OR 1=1 --", '../../etc/passwd', '00000000-0000-0000-0000-000000000000', '%25', '😀'.repeat(16), 'a'.repeat(64), ' ']
const EXTREME_NUMBERS = [1e308, -1e308, 2 ** 53 + 1, -1, 2147483648, 0.5, -0]
const EXTREME_QUERY_NUMBERS = ['1e308', '-99999999999999999999', 'Infinity', 'NaN', '0x10', '-1']

interface Parts {
  params: Record<string, unknown>
  query: Record<string, unknown>
  body: unknown
}
type Slot = { part: keyof Parts; path: (string | number)[]; schema: Schema | undefined; value: unknown }

describe.each(DIALECTS)('schema-driven fuzz of every operation on %s', (dialect) => {
  let ctx: TestContext
  let ops: Operation[]
  let actors: Record<Role, Actor>
  let targets: Targets

  beforeAll(async () => {
    ;({ ctx, ops, actors, targets } = await openSecurityContext(dialect))
  })
  afterAll(() => ctx.close())

  it('answers no request with a 5xx, and a refused request writes nothing', async () => {
    const rng = new Rng(SEED)
    const fiveHundreds: string[] = []
    const writes: string[] = []
    let before = await tableDigests(ctx)
    let sent = 0
    for (const op of ops) {
      for (const role of ROLES) {
        for (let i = 0; i < CASES[role]; i++) {
          const drawn = rng.pick(MUTATIONS)
          // A body beyond the limit needs a route that reads a body.
          const mutation = drawn === 'oversize' && !op.body ? 'huge' : drawn
          const parts = build(op, rng, targets)
          const slot = mutate(op, parts, mutation, rng)
          const request = toRequest(op, parts, mutation)
          const res = await ctx.app.inject({ ...request, headers: { ...request.headers, ...actors[role].headers } })
          sent++
          const label = `${keyOf(op)} as ${role}, ${mutation}${slot ? ` at ${slot}` : ''}`
          if (res.statusCode >= 500) fiveHundreds.push(`${label}: ${res.statusCode} ${res.body.slice(0, 120)}`)
          if (mutation === 'oversize' && res.statusCode !== 413 && !(role === 'anonymous' && res.statusCode === 401)) {
            fiveHundreds.push(`${label}: ${res.statusCode}, not 413`)
          }
          const after = await tableDigests(ctx)
          if (res.statusCode >= 400) {
            const changed = changedTables(before, after)
            if (changed.length) writes.push(`${label}: ${res.statusCode} but wrote ${changed.join(', ')}`)
          }
          before = after
          if (op.path.startsWith('/api/v1/auth/') && res.statusCode < 300) await renewSession(ctx, actors[role])
        }
      }
    }
    console.info(`fuzz on ${dialect}: ${sent} requests over ${ops.length} operations`)
    expect(fiveHundreds).toEqual([])
    expect(writes).toEqual([])
  }, 240_000)
})

/** A request the schemas accept, with real ids picked at random from every subtree. */
function build(op: Operation, rng: Rng, targets: Targets): Parts {
  const sampler = { rng, id: (r: Parameters<Targets['all']>[0]) => rng.pick([...targets.all(r), JUNK_IDS[3]!]) }
  return {
    params: pathIds(op, (r) => sampler.id(r)),
    query: sample(op.query, 'query', sampler) as Record<string, unknown>,
    body: op.body ? sample(op.body, 'body', sampler) : undefined,
  }
}

/** Breaks the request one way; returns the field it broke, for the failure message. */
function mutate(op: Operation, parts: Parts, mutation: Mutation, rng: Rng): string | undefined {
  const slots = slotsOf(op, parts)
  const strings = slots.filter((s) => typeof s.value === 'string')
  const at = (s: Slot) => [s.part === 'params' ? 'params' : s.part === 'query' ? 'querystring' : 'body', ...s.path].join('.')
  switch (mutation) {
    case 'valid':
    case 'oversize':
      return undefined
    case 'nul':
    case 'surrogate': {
      if (!strings.length) return undefined
      const s = rng.pick(strings)
      const bad = mutation === 'nul' ? '\u0000' : '\ud800'
      const text = s.value as string
      const cut = rng.int(text.length + 1)
      set(parts, s, text.slice(0, cut) + bad + text.slice(cut))
      return at(s)
    }
    case 'missing': {
      const required = [
        ...(op.query.required ?? []).map((k) => ({ part: 'query' as const, key: k })),
        ...(op.body?.required ?? []).map((k) => ({ part: 'body' as const, key: k })),
      ]
      if (!required.length) return undefined
      const r = rng.pick(required)
      delete (parts[r.part] as Record<string, unknown>)[r.key]
      return `${r.part}.${r.key}`
    }
    case 'wrongType': {
      if (!slots.length) return undefined
      const s = rng.pick(slots)
      set(parts, s, wrongTypeFor(s, rng))
      return at(s)
    }
    case 'huge': {
      if (!strings.length) return undefined
      const s = rng.pick(strings)
      // Within the body limit, far beyond every maxLength; URLs get less (a proxy would cut them).
      set(parts, s, 'x'.repeat(s.part === 'body' ? 200_000 : 8_000))
      return at(s)
    }
    case 'extreme': {
      const numbers = slots.filter((s) => s.schema?.type === 'integer' || s.schema?.type === 'number')
      if (!numbers.length) return undefined
      const s = rng.pick(numbers)
      set(parts, s, s.part === 'body' ? rng.pick(EXTREME_NUMBERS) : rng.pick(EXTREME_QUERY_NUMBERS))
      return at(s)
    }
    case 'junkId': {
      const ids = strings.filter((s) => s.part === 'params' || isIdField(String(s.path.at(-1))))
      if (!ids.length) return undefined
      const s = rng.pick(ids)
      set(parts, s, rng.pick(JUNK_IDS))
      return at(s)
    }
  }
}

function wrongTypeFor(s: Slot, rng: Rng): unknown {
  if (s.part !== 'body') {
    // A URL carries only text: a word where a number or flag belongs, or the field twice.
    return typeof s.value === 'string' ? [s.value, s.value] : rng.pick(['abc', 'true false', '{}'])
  }
  if (typeof s.value === 'string') return rng.pick([12345, true, null, { a: 1 }, ['x']])
  if (typeof s.value === 'number') return rng.pick(['12', null, true, [1]])
  if (typeof s.value === 'boolean') return rng.pick(['yes', 1, null])
  if (Array.isArray(s.value)) return rng.pick([{}, 'x', null])
  return rng.pick([[], 'x', 1, null])
}

/** Every leaf of the request (and every body object), with the schema that describes it. */
function slotsOf(op: Operation, parts: Parts): Slot[] {
  const slots: Slot[] = []
  for (const [k, v] of Object.entries(parts.params)) slots.push({ part: 'params', path: [k], schema: op.pathParams[k], value: v })
  for (const [k, v] of Object.entries(parts.query)) slots.push({ part: 'query', path: [k], schema: op.query.properties?.[k], value: v })
  const walk = (value: unknown, schema: Schema | undefined, path: (string | number)[]) => {
    const resolved = schema?.anyOf?.[0] ?? schema
    if (path.length) slots.push({ part: 'body', path, schema: resolved, value })
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, resolved?.items, [...path, i]))
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, resolved?.properties?.[k], [...path, k])
    }
  }
  walk(parts.body, op.body, [])
  return slots
}

function set(parts: Parts, s: Slot, value: unknown): void {
  let holder = parts[s.part] as Record<string | number, unknown>
  for (const key of s.path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>
  holder[s.path.at(-1)!] = value
}

function toRequest(op: Operation, parts: Parts, mutation: Mutation) {
  const params = Object.fromEntries(Object.entries(parts.params).map(([k, v]) => [k, encodeForUrl(String(v))]))
  const query = Object.fromEntries(
    Object.entries(parts.query).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => encodeForUrl(String(x))) : encodeForUrl(String(v))]),
  )
  const method = op.method as 'GET'
  const url = urlOf(op, params, query)
  if (mutation === 'oversize') {
    return { method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ filler: 'x'.repeat(OVERSIZE) }) }
  }
  if (parts.body === undefined) return { method, url, headers: {} }
  return { method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(parts.body) }
}
