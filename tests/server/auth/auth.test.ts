import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const MEMBER = DEMO_LOGINS[0].phone

describe.each(DIALECTS)('accounts on %s', (dialect) => {
  let ctx: TestContext
  beforeAll(async () => {
    ctx = await buildTestApp(dialect, {
      loginLimits: { perPhone: { max: 3, windowMs: 60_000 }, perIp: { max: 1000, windowMs: 60_000 } },
    })
  })
  afterAll(() => ctx.close())

  const login = (phone: string, password: string, deviceName = 'phone') =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password, deviceName } })

  it('signs a member in and returns the profile with roles from the server', async () => {
    const res = await login(MEMBER, 'demo1234')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(body.profile.phone).toBe(MEMBER)
    expect(body.profile.roles.map((r: { role: string }) => r.role)).toEqual(['member'])
    expect(body.profile.orgUnitName).toBe('桃园村党支部 · 第一党小组')
  })

  it('keeps only a hash of the token, so the database alone cannot replay a session', async () => {
    const { token } = (await login(MEMBER, 'demo1234')).json()
    const rows = await ctx.testDb.db.selectFrom('session').select('token_hash').execute()
    expect(rows.some((r) => r.token_hash === token)).toBe(false)
  })

  it('answers an unknown phone exactly like a wrong password', async () => {
    const wrong = await login('13811112222', 'demo1234')
    const unknown = await login(DEMO_LOGINS[2].phone, 'not-the-password')
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json()).toEqual(unknown.json())
    expect(wrong.json().code).toBe('INVALID_CREDENTIALS')
  })

  it('rejects a malformed phone with 400 naming the field and writes no session', async () => {
    const before = await ctx.testDb.db.selectFrom('session').select('id').execute()
    const res = await login('12345', 'demo1234')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'VALIDATION', field: 'body.phone' })
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: MEMBER } })
    expect(missing.json().field).toBe('body.password')
    const after = await ctx.testDb.db.selectFrom('session').select('id').execute()
    expect(after.length).toBe(before.length)
  })

  it('locks the phone with 429, Retry-After and the time the lock ends, even for the right password', async () => {
    const phone = DEMO_LOGINS[4].phone
    for (let i = 0; i < 3; i++) expect((await login(phone, 'bad')).statusCode).toBe(401)
    const limited = await login(phone, 'demo1234')
    expect(limited.statusCode).toBe(429)
    const retryAfter = Number(limited.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(limited.json().code).toBe('ACCOUNT_LOCKED')
    const { lockedUntil } = limited.json()
    expect(Math.abs(lockedUntil - (Date.now() + retryAfter * 1000))).toBeLessThan(2000)
  })

  it('lists device sessions and revokes another device, which then gets 401', async () => {
    const phoneA = await signIn(ctx.app, DEMO_LOGINS[1].phone)
    const other = (await login(DEMO_LOGINS[1].phone, 'demo1234', 'old phone')).json()
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: phoneA })
    expect(list.statusCode).toBe(200)
    const sessions = list.json() as Array<{ id: string; deviceName: string; current: boolean }>
    expect(sessions.find((s) => s.id === other.sessionId)?.deviceName).toBe('old phone')
    expect(sessions.filter((s) => s.current)).toHaveLength(1)

    const revoke = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${other.sessionId}`, headers: phoneA })
    expect(revoke.statusCode).toBe(204)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other.token}` } })
    expect(me.statusCode).toBe(401)
  })

  it('cannot revoke somebody else’s session', async () => {
    const mine = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    const theirs = (await login(DEMO_LOGINS[3].phone, 'demo1234')).json()
    const res = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${theirs.sessionId}`, headers: mine })
    expect(res.statusCode).toBe(404)
    const still = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${theirs.token}` } })
    expect(still.statusCode).toBe(200)
  })

  it('logout revokes the session', async () => {
    const headers = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode).toBe(401)
  })

  it('refuses an expired session', async () => {
    const { token, sessionId } = (await login(DEMO_LOGINS[3].phone, 'demo1234')).json()
    await ctx.testDb.db.updateTable('session').set({ expires_at: Date.now() - 1 }).where('id', '=', sessionId).execute()
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } })
    expect(res.statusCode).toBe(401)
  })
})
