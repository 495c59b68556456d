/**
 * When what a person may see changes, the phone learns it. The REAL client pull (pull.ts and
 * pull.db.ts on fake-indexeddb) talks to the real Fastify app (app.inject behind fetch) while
 * fast-check plays random server-side changes: content imported or scoped to one unit,
 * assignments for units, member groups and named people, the person moved, flags set and
 * cleared, the clock passing the new-member year, the person's group or branch moved in the
 * tree; some pulls lose the network half-way, some have writes land between their pages.
 * After every complete pull the phone holds exactly what a pull from scratch gives.
 */
import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db as phone } from '@/db/db.ts'
import { pullContent, type PullResult } from '@/features/sync/pull.ts'
import { TABLES } from '@/features/sync/pull.db.ts'
import { useTokenFrom } from '@/shared/http.ts'
import type { MemberGroup } from '../../../src/protocol/assignment.ts'
import { CONTENT_DIR } from '../../../server/features/content/import.ts'
import { parseContent, type ParsedContent } from '../../../server/features/content/content.parse.ts'
import { applyContent, rootOrgUnit } from '../../../server/features/content/content.repository.ts'
import { nextVersion } from '../../../server/db/version.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { differences, scratch, seeded, type Rows } from './pullSupport.ts'

const MONTH_MS = 30.44 * 86_400_000

type Write =
  | { kind: 'import'; seed: number }
  | { kind: 'unitEntry'; unit: number; remove: boolean }
  | { kind: 'assign'; unit: number; group: MemberGroup | null }
  | { kind: 'assignMe' }
  | { kind: 'cancel'; pick: number }
  | { kind: 'movePerson'; group: number }
  | { kind: 'flag'; flag: 'isFlowing' | 'isElderly' | 'isCommittee'; on: boolean }
  | { kind: 'joined'; monthsAgo: number | null }
  | { kind: 'tick'; months: number }
  | { kind: 'moveUnit'; which: 'group' | 'branch'; to: number }
type Step = Write | { kind: 'pull'; pageSize: number; dropAt: number | null; midway: Write | null }

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('import' as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant('unitEntry' as const), unit: fc.nat(), remove: fc.boolean() }),
  fc.record({ kind: fc.constant('assign' as const), unit: fc.nat(), group: fc.constantFrom<MemberGroup | null>(null, 'flowing', 'elderly', 'new', 'committee') }),
  fc.constant({ kind: 'assignMe' as const }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('movePerson' as const), group: fc.nat() }),
  fc.record({ kind: fc.constant('flag' as const), flag: fc.constantFrom('isFlowing' as const, 'isElderly' as const, 'isCommittee' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('joined' as const), monthsAgo: fc.option(fc.integer({ min: 0, max: 14 })) }),
  fc.record({ kind: fc.constant('tick' as const), months: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('moveUnit' as const), which: fc.constantFrom('group' as const, 'branch' as const), to: fc.nat() }),
)
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: write },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pull' as const),
      pageSize: fc.constantFrom(7, 40, 500),
      dropAt: fc.option(fc.integer({ min: 2, max: 6 })),
      midway: fc.option(write),
    }),
  },
)

/** What the phone holds, keyed like a pull: type:id → data. */
async function phoneRows(): Promise<Rows> {
  const rows: Rows = new Map()
  for (const [type, table] of Object.entries(TABLES)) {
    for (const row of (await table().toArray()) as { id: string }[]) rows.set(`${type}:${row.id}`, JSON.stringify(row))
  }
  return rows
}

describe.each(DIALECTS)('the phone follows scope changes on %s', (dialect) => {
  let ctx: TestContext
  let clock = Date.now()
  let member: { authorization: string }
  let admin: { authorization: string }
  let memberId: string
  let root: string
  let base: ParsedContent
  let serial = 0
  const live: string[] = []

  // The phone's network: fetch answered by the app in process, with a page size, a lost
  // connection at one request and a write landing between two pages, as a step asks.
  const net = { pageSize: 500, requests: 0, dropAt: null as number | null, midway: null as Write | null }
  /** So the property cannot pass vacuously: resets happened and sweeps removed rows. */
  const seen = { resetPages: 0, swept: 0 }

  beforeAll(async () => {
    ctx = await buildTestApp(dialect, { clock: () => clock })
    base = parseContent(CONTENT_DIR)
    root = (await rootOrgUnit(ctx.testDb.db))!
    await applyContent(ctx.testDb.db, base, { orgUnitId: root })
    member = await signIn(ctx.app, '13800000001')
    admin = await signIn(ctx.app, '13800000006')
    memberId = ctx.seed.people.find((p) => p.phone === '13800000001')!.id
    useTokenFrom(() => member.authorization.slice('Bearer '.length))
    vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, 'http://phone')
      url.searchParams.set('limit', String(net.pageSize))
      net.requests++
      if (net.requests === 2 && net.midway) await apply(net.midway)
      if (net.requests === net.dropAt) throw new TypeError('Failed to fetch')
      const res = await ctx.app.inject({ method: (init.method ?? 'GET') as 'GET', url: `${url.pathname}${url.search}`, headers: init.headers as Record<string, string> })
      if (res.statusCode === 200 && 'reset' in res.json()) seen.resetPages++
      return new Response(res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } })
    })
  })
  afterAll(async () => {
    vi.unstubAllGlobals()
    await ctx.close()
  })

  async function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    const res = await ctx.app.inject({ method, url, headers: admin, payload })
    expect(res.statusCode, `${method} ${url} ${res.body}`).toBeLessThan(300)
  }
  const units = (kind: string) => ctx.seed.units.filter((u) => u.kind === kind)
  const pathOf = async (id: string) => (await ctx.testDb.db.selectFrom('org_unit').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path
  const memberUnit = async () =>
    (await ctx.testDb.db.selectFrom('person').select('org_unit_id').where('id', '=', memberId).executeTakeFirstOrThrow()).org_unit_id

  /** Units worth targeting: the member's own path (so changes reach them) and a few others. */
  async function someUnit(n: number): Promise<string> {
    const own = (await pathOf(await memberUnit())).split('/').filter(Boolean)
    const all = [...own, ...own, ...ctx.seed.units.map((u) => u.id)]
    return all[n % all.length]!
  }

  async function apply(w: Write): Promise<void> {
    const db = ctx.testDb.db
    switch (w.kind) {
      case 'import': {
        const random = seeded(w.seed)
        const edit = <T extends { content_hash: string; title: string }>(rows: T[]) =>
          rows.filter(() => random() > 0.05).map((r) => (random() < 0.1 ? { ...r, title: `${r.title} #${w.seed}`, content_hash: `${r.content_hash}-${w.seed}` } : r))
        await applyContent(db, { ...base, lessons: edit(base.lessons), entries: edit(base.entries) }, { orgUnitId: root })
        return
      }
      case 'unitEntry': {
        const unit = await someUnit(w.unit)
        const id = `unit-entry-${w.unit % 5}`
        await db.transaction().execute(async (trx) => {
          const version = await nextVersion(trx)
          const row = { category: base.categories[0]!.id, title: `本单位条目 ${serial++}`, tags: '[]', body: '正文', org_unit_id: unit, version, published_at: clock, content_hash: `h${serial}` }
          const deleted_at = w.remove ? clock : null
          const exists = await trx.selectFrom('pocket_entry').select('id').where('id', '=', id).executeTakeFirst()
          if (exists) await trx.updateTable('pocket_entry').set({ ...row, deleted_at }).where('id', '=', id).execute()
          else if (!w.remove) await trx.insertInto('pocket_entry').values({ id, ...row, deleted_at }).execute()
        })
        return
      }
      case 'assign':
      case 'assignMe': {
        const id = `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`
        const target =
          w.kind === 'assignMe'
            ? { orgUnitId: root, personIds: [memberId] }
            : { orgUnitId: await someUnit(w.unit), ...(w.group ? { memberGroup: w.group } : {}) }
        await api('POST', '/api/v1/assignments', { id, contentKind: 'course', contentId: 'rural-safety', dueAt: Date.now() + 86_400_000 * 365, ...target })
        live.push(id)
        return
      }
      case 'cancel':
        if (live.length) await api('DELETE', `/api/v1/assignments/${live.splice(w.pick % live.length, 1)[0]}`)
        return
      case 'movePerson': {
        const group = units('group')[w.group % units('group').length]!
        await api('POST', `/api/v1/admin/people/${memberId}/move`, { orgUnitId: group.id })
        return
      }
      case 'flag':
        await api('PATCH', `/api/v1/admin/people/${memberId}`, { [w.flag]: w.on })
        return
      case 'joined':
        await api('PATCH', `/api/v1/admin/people/${memberId}`, { joinedPartyAt: w.monthsAgo === null ? null : Math.round(clock - w.monthsAgo * MONTH_MS) })
        return
      case 'tick':
        clock += w.months * MONTH_MS
        return
      case 'moveUnit': {
        const group = await db.selectFrom('org_unit').select(['id', 'parent_id']).where('id', '=', await memberUnit()).executeTakeFirstOrThrow()
        const unitId = w.which === 'group' ? group.id : group.parent_id!
        const parents = units(w.which === 'group' ? 'branch' : 'township')
        const parent = parents[w.to % parents.length]!
        // Names are unique among siblings: give the unit a fresh one before it moves.
        await api('PATCH', `/api/v1/admin/units/${unitId}`, { name: `移动单位${++serial}` })
        const current = await db.selectFrom('org_unit').select('parent_id').where('id', '=', unitId).executeTakeFirstOrThrow()
        if (current.parent_id !== parent.id) await api('POST', `/api/v1/admin/units/${unitId}/move`, { parentId: parent.id })
        return
      }
    }
  }

  /** Pulls like the app does; after a lost connection, pulls again (as the next trigger would). */
  async function pullCompletely(s: Extract<Step, { kind: 'pull' }>): Promise<PullResult> {
    Object.assign(net, { pageSize: s.pageSize, requests: 0, dropAt: s.dropAt, midway: s.midway })
    const result = await pullContent().catch(async (err: { code?: string }) => {
      expect(err.code).toBe('NETWORK')
      return pullContent()
    })
    seen.swept += result.changes.filter((c) => c.version === 0).length
    return result
    Object.assign(net, { dropAt: null, midway: null })
  }

  it('a member moved to another branch drops the old branch’s assignment and gets the new one’s', async () => {
    await Promise.all([...Object.values(TABLES).map((t) => t().clear()), phone.meta.clear()])
    await phone.meta.put({ key: 'session', value: { token: 't', sessionId: 's', expiresAt: 0, profile: { id: memberId } } })
    const group = await memberUnit()
    const branch = (await pathOf(group)).split('/').filter(Boolean).at(-2)!
    const elsewhere = units('group').find((g) => !g.path.includes(`/${branch}/`))!
    const other = elsewhere.path.split('/').filter(Boolean).at(-2)!
    for (const unit of [branch, other]) {
      const id = `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`
      await api('POST', '/api/v1/assignments', { id, contentKind: 'course', contentId: 'rural-safety', dueAt: Date.now() + 86_400_000, orgUnitId: unit })
    }
    await pullCompletely({ kind: 'pull', pageSize: 40, dropAt: null, midway: null })
    const before = new Set((await phone.assignments.toArray()).map((a) => a.id))
    await apply({ kind: 'movePerson', group: units('group').indexOf(elsewhere) })
    const result = await pullCompletely({ kind: 'pull', pageSize: 40, dropAt: null, midway: null })
    const after = new Set((await phone.assignments.toArray()).map((a) => a.id))
    expect([...before].filter((id) => !after.has(id))).toHaveLength(1)
    expect([...after].filter((id) => !before.has(id))).toHaveLength(1)
    expect(result.changes.filter((c) => c.version === 0)).toHaveLength(1)
    expect(differences(await phoneRows(), await scratch(ctx.app, member))).toEqual({ missing: [], extra: [], stale: [] })
  })

  it('after every complete pull the phone equals a pull from scratch', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
        // A fresh phone for each run: signed in as the member, with something the member's
        // group and branch were given (to lose on a move), everything pulled.
        const own = (await pathOf(await memberUnit())).split('/').filter(Boolean)
        await apply({ kind: 'assign', unit: own.length - 1, group: null })
        await apply({ kind: 'assign', unit: own.length - 2, group: 'elderly' })
        await apply({ kind: 'flag', flag: 'isElderly', on: true })
        await Promise.all([...Object.values(TABLES).map((t) => t().clear()), phone.meta.clear()])
        await phone.meta.put({ key: 'session', value: { token: 't', sessionId: 's', expiresAt: 0, profile: { id: memberId } } })
        await pullCompletely({ kind: 'pull', pageSize: 500, dropAt: null, midway: null })
        for (const s of [...steps, { kind: 'pull' as const, pageSize: 40, dropAt: null, midway: null }]) {
          if (s.kind !== 'pull') {
            await apply(s)
            continue
          }
          await pullCompletely(s)
          const diff = differences(await phoneRows(), await scratch(ctx.app, member))
          expect({ missing: diff.missing, extra: diff.extra, stale: diff.stale }).toEqual({ missing: [], extra: [], stale: [] })
        }
      }),
      { seed: 15, numRuns: 12, endOnFailure: true },
    )
    expect(seen.resetPages).toBeGreaterThan(0)
    expect(seen.swept).toBeGreaterThan(0)
  })
})
