import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RoleName } from '../../../src/protocol/auth.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

/**
 * An action on a person needs the actor to outrank every role the person holds, wherever they
 * hold it: being secretary over someone's group is not enough when that someone supervises a
 * township elsewhere.
 */
describe.each(DIALECTS)('no escalation through actions on a person on %s', (dialect) => {
  let ctx: TestContext
  let secretaryA: Headers
  let supervisorX: Headers
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  const personOf = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
  /** A plain member of branch A's first group (not one of the fixed demo accounts). */
  const memberOfGroup0 = (n: number) => ctx.seed.people.filter((p) => p.org_unit_id === unit('group', 0).id && p.phone.startsWith('139'))[n]!
  const grant = (personId: string, orgUnitId: string, role: RoleName) =>
    ctx.testDb.db.insertInto('role').values({ person_id: personId, org_unit_id: orgUnitId, role }).execute()
  const row = (id: string) => ctx.testDb.db.selectFrom('person').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    secretaryA = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    supervisorX = await signIn(ctx.app, DEMO_LOGINS[4].phone)
  })
  afterAll(() => ctx.close())

  it('refuses a branch secretary the password of a member who supervises another township, so they cannot read that township', async () => {
    const target = memberOfGroup0(0)
    await grant(target.id, unit('township', 1).id, 'supervisor')
    const before = (await row(target.id)).password_hash

    const reset = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${target.id}/password`, headers: secretaryA })
    expect(reset.statusCode).toBe(403)
    expect((await row(target.id)).password_hash).toBe(before)
    // Had the reset worked, this is what the secretary could then do as the supervisor:
    if (reset.statusCode === 200) {
      const asTarget = await signIn(ctx.app, target.phone, reset.json().password)
      const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${unit('branch', 2).id}/members`, headers: asTarget })
      expect(other.statusCode).not.toBe(200)
    }
  })

  it('refuses every other change to that person as well: edit, status, move, roles, flags', async () => {
    const target = memberOfGroup0(0)
    for (const [method, url, payload, headers] of [
      ['PATCH', `/api/v1/admin/people/${target.id}`, { name: '改名' }, secretaryA],
      ['POST', `/api/v1/admin/people/${target.id}/status`, { status: 'inactive' }, secretaryA],
      ['POST', `/api/v1/admin/people/${target.id}/move`, { orgUnitId: unit('group', 1).id }, secretaryA],
      ['POST', `/api/v1/admin/people/${target.id}/roles`, { role: 'group_leader', orgUnitId: unit('group', 0).id }, secretaryA],
      ['DELETE', `/api/v1/admin/people/${target.id}/roles?role=group_leader&orgUnitId=${unit('group', 0).id}`, undefined, secretaryA],
      // The township-X supervisor is equal in rank to the township-Y supervisor role.
      ['POST', `/api/v1/admin/people/${target.id}/password`, undefined, supervisorX],
      ['POST', `/api/v1/admin/people/${target.id}/status`, { status: 'inactive' }, supervisorX],
    ] as const) {
      const res = await ctx.app.inject({ method, url, headers, payload })
      expect(res.statusCode, `${method} ${url}`).toBe(403)
    }
    const after = await row(target.id)
    expect([after.name, after.status, after.org_unit_id]).toEqual([target.name, 'active', target.org_unit_id])
    // The district admin outranks the township role, so they can.
    const admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    const byAdmin = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${target.id}/status`, headers: admin, payload: { status: 'inactive' } })
    expect(byAdmin.statusCode).toBe(200)
  })

  it('refuses a secretary every action on a peer secretary of the same branch, and the peer on them', async () => {
    const peer = memberOfGroup0(1)
    await grant(peer.id, unit('branch', 0).id, 'secretary')
    const peerHeaders = await signIn(ctx.app, peer.phone)
    const secretary = personOf(DEMO_LOGINS[3].phone)
    for (const [actor, target] of [
      [secretaryA, peer.id],
      [peerHeaders, secretary.id],
    ] as const) {
      for (const [method, url, payload] of [
        ['POST', `/api/v1/admin/people/${target}/password`, undefined],
        ['POST', `/api/v1/admin/people/${target}/status`, { status: 'inactive' }],
        ['POST', `/api/v1/admin/people/${target}/move`, { orgUnitId: unit('group', 2).id }],
        ['PATCH', `/api/v1/admin/people/${target}`, { isFlowing: true }],
      ] as const) {
        const res = await ctx.app.inject({ method, url, headers: actor, payload })
        expect(res.statusCode, `${method} ${url}`).toBe(403)
      }
    }
    // Their supervisor outranks both.
    const moved = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${peer.id}/move`, headers: supervisorX, payload: { orgUnitId: unit('group', 2).id } })
    expect(moved.statusCode).toBe(200)
  })

  it('refuses a group leader the flags of their own branch secretary, and still lets them flag a member', async () => {
    const leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const secretary = personOf(DEMO_LOGINS[3].phone)
    const up = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${secretary.id}`, headers: leader, payload: { isFlowing: true } })
    expect(up.statusCode).toBe(403)
    const down = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${memberOfGroup0(3).id}`, headers: leader, payload: { isElderly: true } })
    expect(down.statusCode).toBe(200)
  })

  it('still lets a person edit their own record but not raise their own roles', async () => {
    const secretary = personOf(DEMO_LOGINS[3].phone)
    const own = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/people/${secretary.id}`, headers: secretaryA, payload: { isCommittee: true } })
    expect(own.statusCode).toBe(200)
    const raise = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${secretary.id}/roles`, headers: secretaryA, payload: { role: 'secretary', orgUnitId: unit('branch', 0).id } })
    expect(raise.statusCode).toBe(403)
  })
})
