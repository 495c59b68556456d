import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../../server/seed/demo.ts'
import { auditRetentionDays, purgeAudit } from '../../../server/shared/audit.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const DAY = 24 * 3600 * 1000
const SECRETARY = DEMO_LOGINS[3].phone
const ADMIN = DEMO_LOGINS[5].phone

describe.each(DIALECTS)('password change, lockout, step-up and audit on %s', (dialect) => {
  let ctx: TestContext
  let secretary: Headers
  let admin: Headers
  let phoneSeq = 0
  beforeAll(async () => {
    ctx = await buildTestApp(dialect, {
      loginLimits: { perPhone: { max: 3, windowMs: 60_000 }, perIp: { max: 1000, windowMs: 60_000 } },
    })
    secretary = await signIn(ctx.app, SECRETARY)
    admin = await signIn(ctx.app, ADMIN)
  })
  afterAll(() => ctx.close())
  afterEach(() => {
    delete process.env.PASSWORD_MAX_AGE_DAYS
  })

  const db = () => ctx.testDb.db
  const group = () => ctx.seed.units.filter((u) => u.kind === 'group')[0]!
  function inject(method: string, url: string, headers?: Headers, payload?: object) {
    return ctx.app.inject({ method: method as 'GET', url, headers, payload })
  }
  const login = (phone: string, password: string, deviceName = 'phone') =>
    inject('POST', '/api/v1/auth/login', undefined, { phone, password, deviceName })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const auditOf = (action: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute()
  /** Makes the session behind `headers` as old as a phone that signed in last month. */
  async function ageSession(headers: Headers) {
    const me = await inject('GET', '/api/v1/auth/sessions', headers)
    const current = (me.json() as Array<{ id: string; current: boolean }>).find((s) => s.current)!
    await db().updateTable('session').set({ verified_at: Date.now() - 30 * DAY }).where('id', '=', current.id).execute()
  }

  /** A person the secretary adds: they get a one-time password, as every new account does. */
  async function newMember() {
    const phone = `1990000${String(++phoneSeq).padStart(4, '0')}`
    const res = await inject('POST', '/api/v1/admin/people', secretary, { orgUnitId: group().id, name: `测试${phoneSeq}`, phone })
    expect(res.statusCode).toBe(201)
    return { phone, password: res.json().password as string, id: res.json().person.id as string }
  }

  it('keeps the demo logins usable without a forced change', async () => {
    const res = await login(DEMO_LOGINS[0].phone, DEMO_PASSWORD)
    expect(res.json().profile.mustChangePassword).toBe(false)
    expect((await inject('GET', '/api/v1/sync/pull', bearer(res.json().token))).statusCode).toBe(200)
  })

  it('makes a person with a one-time password change it before anything else works', async () => {
    const m = await newMember()
    const signedIn = await login(m.phone, m.password)
    expect(signedIn.statusCode).toBe(200)
    expect(signedIn.json().profile.mustChangePassword).toBe(true)
    const h = bearer(signedIn.json().token)

    const pull = await inject('GET', '/api/v1/sync/pull', h)
    expect(pull.statusCode).toBe(403)
    expect(pull.json().code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await inject('GET', '/api/v1/auth/sessions', h)).json().code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await inject('GET', '/api/v1/auth/me', h)).json().mustChangePassword).toBe(true)

    const same = await inject('POST', '/api/v1/auth/password', h, { currentPassword: m.password, newPassword: m.password })
    expect(same.statusCode).toBe(400)
    expect(same.json()).toMatchObject({ code: expect.stringMatching(/^PASSWORD_/), field: 'body.newPassword' })

    const changed = await inject('POST', '/api/v1/auth/password', h, { currentPassword: m.password, newPassword: '桃园春耕2026' })
    expect(changed.statusCode).toBe(200)
    expect(changed.json().mustChangePassword).toBe(false)
    expect((await inject('GET', '/api/v1/sync/pull', h)).statusCode).toBe(200)
    expect((await login(m.phone, m.password)).statusCode).toBe(401)
    expect((await login(m.phone, '桃园春耕2026')).statusCode).toBe(200)
    const [entry] = (await auditOf('auth.password_change')).filter((e) => e.target === m.id)
    expect(entry?.person_id).toBe(m.id)
    expect(entry?.detail).not.toContain('桃园春耕2026')
  })

  it('refuses weak new passwords with the reason and the field, and writes nothing', async () => {
    const m = await newMember()
    const h = bearer((await login(m.phone, m.password)).json().token)
    const before = await db().selectFrom('person').select('password_hash').where('id', '=', m.id).executeTakeFirstOrThrow()
    for (const [newPassword, code] of [
      ['1a2b3c', 'PASSWORD_TOO_SHORT'],
      [`x${m.phone}`, 'PASSWORD_CONTAINS_PHONE'],
      [`ab${m.phone.slice(-8)}`, 'PASSWORD_CONTAINS_PHONE'],
      ['88888888', 'PASSWORD_TOO_COMMON'],
      ['woaini1314', 'PASSWORD_TOO_COMMON'],
      ['Password', 'PASSWORD_TOO_COMMON'],
      ['98765432', 'PASSWORD_TOO_COMMON'],
    ]) {
      const res = await inject('POST', '/api/v1/auth/password', h, { currentPassword: m.password, newPassword })
      expect(res.statusCode, newPassword).toBe(400)
      expect(res.json()).toMatchObject({ code, field: 'body.newPassword' })
    }
    const wrong = await inject('POST', '/api/v1/auth/password', h, { currentPassword: 'not-it-1', newPassword: '桃园春耕2026' })
    expect(wrong.json()).toMatchObject({ code: 'WRONG_PASSWORD', field: 'body.currentPassword' })
    const after = await db().selectFrom('person').select(['password_hash', 'must_change_password']).where('id', '=', m.id).executeTakeFirstOrThrow()
    expect(after.password_hash).toBe(before.password_hash)
    expect(after.must_change_password).toBe(1)
  })

  it('signs out the person’s other sessions when they change the password, and keeps this one', async () => {
    const phone = DEMO_LOGINS[1].phone
    const here = bearer((await login(phone, DEMO_PASSWORD, 'this phone')).json().token)
    const other = bearer((await login(phone, DEMO_PASSWORD, 'old phone')).json().token)
    const res = await inject('POST', '/api/v1/auth/password', here, { currentPassword: DEMO_PASSWORD, newPassword: '河湾稻花香里人家' })
    expect(res.statusCode).toBe(200)
    expect((await inject('GET', '/api/v1/auth/me', other)).statusCode).toBe(401)
    expect((await inject('GET', '/api/v1/auth/me', here)).statusCode).toBe(200)
    const [entry] = (await auditOf('auth.password_change')).filter((e) => e.person_id !== null && e.detail.includes('"otherSessionsSignedOut":1'))
    expect(entry).toBeDefined()
  })

  it('forces a change again after a reset, and after PASSWORD_MAX_AGE_DAYS when configured', async () => {
    const m = await newMember()
    const h = bearer((await login(m.phone, m.password)).json().token)
    await inject('POST', '/api/v1/auth/password', h, { currentPassword: m.password, newPassword: '石桥流水人家2025' })
    const reset = await inject('POST', `/api/v1/admin/people/${m.id}/password`, secretary)
    expect(reset.statusCode).toBe(200)
    expect((await login(m.phone, reset.json().password)).json().profile.mustChangePassword).toBe(true)
    expect((await auditOf('person.password_reset')).map((e) => e.target)).toContain(m.id)

    const fresh = (await login(DEMO_LOGINS[0].phone, DEMO_PASSWORD)).json().token
    process.env.PASSWORD_MAX_AGE_DAYS = '90'
    await db().updateTable('person').set({ password_changed_at: Date.now() - 91 * DAY }).where('phone', '=', DEMO_LOGINS[0].phone).execute()
    expect((await inject('GET', '/api/v1/sync/pull', bearer(fresh))).json().code).toBe('PASSWORD_CHANGE_REQUIRED')
    delete process.env.PASSWORD_MAX_AGE_DAYS
    expect((await inject('GET', '/api/v1/sync/pull', bearer(fresh))).statusCode).toBe(200)
  })

  it('audits sign-ins and failed sign-ins with a masked phone and no password', async () => {
    const phone = DEMO_LOGINS[2].phone
    await login(phone, 'wrong-secret-1')
    await login('13912345678', 'wrong-secret-2')
    await login(phone, DEMO_PASSWORD)
    const failed = await auditOf('auth.login_failed')
    const texts = failed.map((e) => `${e.target} ${e.detail}`).join('\n')
    expect(texts).toContain('138****0003')
    expect(texts).toContain('139****5678')
    expect(texts).not.toContain(phone)
    expect(texts).not.toContain('13912345678')
    expect(texts).not.toContain('wrong-secret')
    expect(failed.every((e) => e.person_id === null)).toBe(true)
    const person = ctx.seed.people.find((p) => p.phone === phone)!
    expect((await auditOf('auth.login')).some((e) => e.person_id === person.id)).toBe(true)
  })

  it('answers a locked phone with ACCOUNT_LOCKED until lockedUntil, audited', async () => {
    const m = await newMember()
    for (let i = 0; i < 3; i++) await login(m.phone, 'bad-guess-1')
    const locked = await login(m.phone, m.password)
    expect(locked.statusCode).toBe(429)
    expect(locked.json().code).toBe('ACCOUNT_LOCKED')
    expect(locked.json().lockedUntil).toBeGreaterThan(Date.now())
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    expect((await auditOf('auth.login_failed')).filter((e) => e.target === m.id).map((e) => JSON.parse(e.detail).reason)).toEqual([
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'locked',
    ])
  })

  it('asks for the password again before admin actions and exports on an old session, then allows them', async () => {
    const staff = await signIn(ctx.app, SECRETARY)
    await ageSession(staff)
    const target = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    const year = new Date().getFullYear()
    const actions = [
      () => inject('POST', `/api/v1/admin/people/${target.id}/password`, staff),
      () => inject('POST', '/api/v1/admin/people', staff, { orgUnitId: group().id, name: '步骤', phone: '13900009999' }),
      () => inject('GET', `/api/v1/archive/${target.id}/export.csv?year=${year}`, staff),
      () => inject('GET', `/api/v1/monthly-reports/${ctx.seed.units.find((u) => u.kind === 'branch')!.id}/export.csv?month=${year}-01`, staff),
    ]
    for (const action of actions) {
      const res = await action()
      expect(res.statusCode).toBe(403)
      expect(res.json().code).toBe('STEP_UP_REQUIRED')
    }
    expect(await db().selectFrom('person').select('id').where('phone', '=', '13900009999').execute()).toHaveLength(0)
    // Reading stays open, and a member exporting their own record needs no step-up.
    expect((await inject('GET', `/api/v1/admin/units/${group().id}/people`, staff)).statusCode).toBe(200)
    const own = await signIn(ctx.app, SECRETARY)
    await ageSession(own)
    const ownId = ctx.seed.people.find((p) => p.phone === SECRETARY)!.id
    expect((await inject('GET', `/api/v1/archive/${ownId}/export.csv?year=${year}`, own)).statusCode).toBe(200)

    const wrong = await inject('POST', '/api/v1/auth/verify', staff, { password: 'nope-nope' })
    expect(wrong.json()).toMatchObject({ code: 'WRONG_PASSWORD', field: 'body.password' })
    const verified = await inject('POST', '/api/v1/auth/verify', staff, { password: DEMO_PASSWORD })
    expect(verified.statusCode).toBe(200)
    expect(verified.json().verifiedAt).toBeGreaterThan(Date.now() - 5000)
    for (const action of actions) expect((await action()).statusCode).toBeLessThan(300)
    expect((await auditOf('auth.verify')).length).toBeGreaterThan(0)
    expect((await auditOf('archive.export')).some((e) => e.target === target.id)).toBe(true)
    expect((await auditOf('monthly_report.export')).length).toBeGreaterThan(0)
  })

  it('exports the district’s audit log as CSV for the district admin, after step-up, and audits that', async () => {
    const district = ctx.seed.units.find((u) => u.kind === 'district')!
    const old = await signIn(ctx.app, ADMIN)
    await ageSession(old)
    expect((await inject('GET', `/api/v1/admin/units/${district.id}/audit/export.csv`, old)).json().code).toBe('STEP_UP_REQUIRED')
    const township = ctx.seed.units.find((u) => u.kind === 'township')!
    expect((await inject('GET', `/api/v1/admin/units/${district.id}/audit/export.csv`, secretary)).statusCode).toBe(403)
    expect((await inject('GET', `/api/v1/admin/units/${township.id}/audit/export.csv`, await signIn(ctx.app, DEMO_LOGINS[4].phone))).statusCode).toBe(200)

    const res = await inject('GET', `/api/v1/admin/units/${district.id}/audit/export.csv`, admin)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/csv')
    const csv = res.body
    for (const action of ['auth.login', 'auth.login_failed', 'auth.password_change', 'person.password_reset', 'archive.export', 'monthly_report.export']) {
      expect(csv, action).toContain(action)
    }
    // Failed sign-ins of phones nobody has are filed under no unit: the district's export has them.
    expect(csv).toContain('139****5678')
    expect((await auditOf('audit.export')).length).toBeGreaterThan(0)
  })

  it('gives a member all their own data as JSON, without secrets or anyone else’s rows', async () => {
    const me = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!
    const other = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    const h = await signIn(ctx.app, me.phone)
    const res = await inject('GET', '/api/v1/auth/me/export.json', h)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toContain('attachment')
    const data = res.json()
    expect(data.person.phone).toBe(me.phone)
    expect(data.role.map((r: { role: string }) => r.role).sort()).toEqual(['group_leader', 'member'])
    expect(data.sessions.length).toBeGreaterThan(0)
    expect(data.audit_log.some((e: { action: string }) => e.action === 'auth.login')).toBe(true)
    expect(res.body).not.toContain('password_hash')
    expect(res.body).not.toContain('token_hash')
    expect(res.body).not.toContain('scrypt$')
    expect(res.body).not.toContain(other.id)
    expect((await auditOf('personal_data.export')).some((e) => e.person_id === me.id)).toBe(true)
    expect((await inject('GET', '/api/v1/auth/me/export.json')).statusCode).toBe(401)
  })

  it('purges only entries older than the retention, and the database refuses edits and young deletes', async () => {
    const now = Date.now()
    const rows = [500, 401, 399, 200, 10].map((days) => ({
      person_id: null,
      action: `retention.test.${days}`,
      target: 't',
      detail: '{}',
      device: 'test',
      at: now - days * DAY,
      org_path: null,
    }))
    await db().insertInto('audit_log').values(rows).execute()
    const removed = await purgeAudit(db(), 400, now)
    expect(removed).toBe(2)
    const left = await db().selectFrom('audit_log').select('action').where('action', 'like', 'retention.test.%').execute()
    expect(left.map((r) => r.action).sort()).toEqual(['retention.test.10', 'retention.test.200', 'retention.test.399'])
    await expect(purgeAudit(db(), 100, now)).rejects.toThrow()
    expect(() => auditRetentionDays({ AUDIT_RETENTION_DAYS: '90' })).toThrow(/180/)
    expect(auditRetentionDays({})).toBe(400)

    await expect(db().deleteFrom('audit_log').where('action', '=', 'retention.test.10').execute()).rejects.toThrow()
    await expect(db().updateTable('audit_log').set({ detail: '{"forged":true}' }).where('action', '=', 'retention.test.200').execute()).rejects.toThrow()
    // A moved unit carries its entries along: only org_path may change.
    await db().updateTable('audit_log').set({ org_path: '/moved/' }).where('action', '=', 'retention.test.200').execute()
    const count = await sql<{ n: number }>`select count(*) as n from audit_log where action like 'retention.test.%'`.execute(db())
    expect(Number(count.rows[0]!.n)).toBe(3)
  })
})
