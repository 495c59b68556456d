/**
 * The kinds registry contract: a kind is a schema, an authorisation rule and a handler. This
 * test adds a kind that only group leaders over a unit may send, to prove that the rule sees
 * the roles from the database (never the client's) and that its refusals are per record.
 */
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthContext } from '../../../server/features/auth/auth.repository.ts'
import { KINDS, type RegisteredKind } from '../../../server/features/sync/kinds/index.ts'
import { defineKind } from '../../../server/features/sync/kinds/kind.ts'
import { applyPushBatch } from '../../../server/features/sync/push.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { allows } from '../../../server/shared/authz.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const leaderNote = defineKind({
  kind: 'test_leader_note',
  payload: Type.Object({ orgUnitId: Type.String(), text: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
  async authorize(ctx, records) {
    const grants = await ctx.grants()
    const ids = [...new Set(records.map((r) => r.payload.orgUnitId))]
    const units = await ctx.trx.selectFrom('org_unit').select(['id', 'path']).where('id', 'in', ids).execute()
    const path = new Map(units.map((u) => [u.id, u.path]))
    return records.map((r) => {
      const p = path.get(r.payload.orgUnitId)
      return p && allows(grants, p, 'group_leader') ? null : { code: 'FORBIDDEN' as const, message: 'Only a group leader over this unit may send this.' }
    })
  },
  async apply() {
    // The claim in applied_record is this kind's whole effect.
  },
})

/** Remembers the order its handler saw records in. */
const seen: number[] = []
const ordered = defineKind({
  kind: 'test_ordered',
  payload: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
  async authorize(_ctx, records) {
    return records.map(() => null)
  },
  async apply(_ctx, records) {
    seen.push(...records.map((r) => r.payload.n))
  },
})

const kinds = new Map<string, RegisteredKind>([
  ...KINDS,
  [leaderNote.kind, { def: leaderNote, validator: Compile(leaderNote.payload) }],
  [ordered.kind, { def: ordered, validator: Compile(ordered.payload) }],
])

describe.each(DIALECTS)('push kinds registry on %s', (dialect) => {
  let ctx: TestContext
  const as = async (phone: string): Promise<AuthContext> => {
    const p = await ctx.testDb.db.selectFrom('person').select(['id', 'org_unit_id']).where('phone', '=', phone).executeTakeFirstOrThrow()
    return { personId: p.id, sessionId: 's', deviceName: 'test' }
  }
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
  })
  afterAll(() => ctx.close())

  it('runs the kind’s authorisation rule with roles from the database, per record', async () => {
    const leader = await as(DEMO_LOGINS[2].phone)
    const leaderUnit = (await ctx.testDb.db.selectFrom('person').select('org_unit_id').where('id', '=', leader.personId).executeTakeFirstOrThrow()).org_unit_id
    const otherUnit = (await ctx.testDb.db.selectFrom('org_unit').select('id').where('kind', '=', 'group').where('id', '!=', leaderUnit).executeTakeFirstOrThrow()).id
    const record = (orgUnitId: string) => ({ id: uuidv7(), kind: 'test_leader_note', payload: { orgUnitId, text: 'hi' }, createdAt: Date.now(), deviceId: 'd' })
    const mine = record(leaderUnit)
    const elsewhere = record(otherUnit)
    const study = { id: uuidv7(), kind: 'study_event', payload: { lessonId: 'l', courseId: 'c', kind: 'opened', seconds: 0 }, createdAt: Date.now(), deviceId: 'd' }
    const results = await applyPushBatch(ctx.testDb.db, leader, { deviceId: 'd', outboxCount: 3, records: [mine, elsewhere, study] }, Date.now(), kinds)
    expect(results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied'])
    expect(results[1]).toMatchObject({ code: 'FORBIDDEN' })

    // A plain member holds no leader role over that unit: refused.
    const member = await as(DEMO_LOGINS[0].phone)
    const byMember = await applyPushBatch(ctx.testDb.db, member, { deviceId: 'd', outboxCount: 1, records: [record(leaderUnit)] }, Date.now(), kinds)
    expect(byMember[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
  })

  it('hands records to the handler in the order the device sent them, not in id order', async () => {
    const member = await as(DEMO_LOGINS[0].phone)
    // Ids made in reverse: a record re-sent after a fix keeps its older id but goes out later.
    const ids = Array.from({ length: 5 }, () => uuidv7()).reverse()
    seen.length = 0
    const records = ids.map((id, n) => ({ id, kind: 'test_ordered', payload: { n }, createdAt: Date.now(), deviceId: 'd' }))
    await applyPushBatch(ctx.testDb.db, member, { deviceId: 'd', outboxCount: 5, records }, Date.now(), kinds)
    expect(seen).toEqual([0, 1, 2, 3, 4])
  })

  it('gives every registered kind a schema, an authorisation rule and a handler', () => {
    expect(KINDS.has('study_event')).toBe(true)
    for (const [name, { def }] of KINDS) {
      expect(def.kind).toBe(name)
      expect(def.payload).toBeTypeOf('object')
      expect(def.authorize).toBeTypeOf('function')
      expect(def.apply).toBeTypeOf('function')
    }
  })
})
