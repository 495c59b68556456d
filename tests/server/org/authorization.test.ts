import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

describe.each(DIALECTS)('organisation subtree authorisation on %s', (dialect) => {
  let ctx: TestContext
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  const personOf = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
  })
  afterAll(() => ctx.close())

  it('answers 401 without a session', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${unit('group', 0).id}/members` })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('UNAUTHENTICATED')
  })

  it('lets a member read their own group’s people, paged', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    const group = unit('group', 0)
    const first = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${group.id}/members?limit=5`, headers })
    expect(first.statusCode).toBe(200)
    const page1 = first.json()
    expect(page1.items).toHaveLength(5)
    const second = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/org/units/${group.id}/members?limit=50&cursor=${page1.next}`,
      headers,
    })
    const all = [...page1.items, ...second.json().items]
    expect(all.map((m: { id: string }) => m.id).sort()).toEqual(
      ctx.seed.people.filter((p) => p.org_unit_id === group.id).map((p) => p.id).sort(),
    )
    expect(second.json().next).toBeNull()
  })

  it('refuses a member of one village the people of another village (403)', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    const otherVillage = unit('branch', 1)
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${otherVillage.id}/members`, headers })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('FORBIDDEN')
  })

  it('lets a township supervisor read every branch below, and nothing in the other township', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    const own = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${unit('branch', 1).id}`, headers })
    expect(own.statusCode).toBe(200)
    const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${unit('township', 1).id}`, headers })
    expect(other.statusCode).toBe(403)
  })

  it('lets a group leader flag a member of their group, and records it in the audit log', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const member = personOf(DEMO_LOGINS[0].phone)
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${member.id}`, headers, payload: { isElderly: true } })
    expect(res.statusCode).toBe(200)
    expect(res.json().isElderly).toBe(true)
    // Sign-ins are audited too (docs/security.md); this asks for the changes made to the person.
    const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('target', '=', member.id).where('action', 'not like', 'auth.%').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.action).toBe('person.flags')
  })

  it('refuses a group leader acting for another group, and changes nothing', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const outsider = ctx.seed.people.find((p) => p.org_unit_id === unit('group', 1).id)!
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${outsider.id}`, headers, payload: { isFlowing: true } })
    expect(res.statusCode).toBe(403)
    const row = await ctx.testDb.db.selectFrom('person').select('is_flowing').where('id', '=', outsider.id).executeTakeFirstOrThrow()
    expect(row.is_flowing).toBe(outsider.is_flowing)
  })

  it('does not let a plain member set flags even in their own group', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    const peer = personOf(DEMO_LOGINS[1].phone)
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${peer.id}`, headers, payload: { isFlowing: false } })
    expect(res.statusCode).toBe(403)
  })

  it('rejects an unknown field with 400 naming it', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const member = personOf(DEMO_LOGINS[0].phone)
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/people/${member.id}`, headers, payload: { role: 'admin' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.role')
  })
})
