import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

describe.each(DIALECTS)('input refused everywhere, and the sign-in wall, on %s', (dialect) => {
  let ctx: TestContext
  let admin: { authorization: string }
  let member: { authorization: string }
  const group = () => ctx.seed.units.find((u) => u.kind === 'group')!
  const memberId = () => ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!.id

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
  })
  afterAll(() => ctx.close())

  it('answers 400 naming the path parameter that carries a NUL', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/org/units/${group().id}%00`, headers: admin })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'VALIDATION', field: 'params.id' })
  })

  it('answers 400 naming the query field that carries a NUL', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/attendance/meetings?orgUnitId=${group().id}%00`, headers: admin })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('querystring.orgUnitId')
  })

  it('answers 400 naming a body field with a lone surrogate, and creates nothing', async () => {
    const before = await ctx.testDb.db.selectFrom('org_unit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/admin/units',
      headers: { ...admin, 'content-type': 'application/json' },
      // JSON.stringify escapes the lone surrogate as \ud800; JSON.parse on the server restores it.
      payload: JSON.stringify({ parentId: group().parent_id, name: 'bad \ud800 name' }),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.name')
    const after = await ctx.testDb.db.selectFrom('org_unit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('refuses a year of Infinity with 400 instead of failing to answer', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/archive/${memberId()}?year=Infinity`, headers: member })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('querystring.year')
  })

  it('leaves a push record’s payload to the push pipeline: one bad record does not refuse the batch', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: member,
      payload: {
        deviceId: 'dev-1',
        records: [
          { id: '01900000-0000-7000-8000-000000000001', kind: 'no_such_kind', payload: { text: 'a\u0000b' }, createdAt: 1, deviceId: 'dev-1' },
        ],
      },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().results[0].status).toBe('rejected')
  })

  it('still refuses a NUL in a push record’s envelope', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: member,
      payload: { deviceId: 'dev\u00001', records: [{ id: '01900000-0000-7000-8000-000000000002', kind: 'study_event', payload: {}, createdAt: 1, deviceId: 'dev-1' }] },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.deviceId')
  })

  it('answers 401 to an anonymous push before looking at its body', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', payload: {} })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Sign in first.' })
  })

  it('answers 401 to an anonymous request with a malformed query, naming no field', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/meetings?limit=abc' })
    expect(res.statusCode).toBe(401)
    expect(res.json().field).toBeUndefined()
  })

  it('keeps the public routes public', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200)
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {} })
    expect(login.statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-route' })).statusCode).toBe(404)
  })
})
