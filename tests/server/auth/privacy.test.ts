import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRIVACY_NOTICE_VERSION } from '../../../src/protocol/auth.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('privacy notice acceptance on %s', (dialect) => {
  let ctx: TestContext
  let secretary: Headers
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
  })
  afterAll(() => ctx.close())

  function inject(method: string, url: string, headers?: Headers, payload?: object) {
    return ctx.app.inject({ method: method as 'GET', url, headers, payload })
  }

  /** A person the secretary adds, signed in with a password of their own (past the forced change). */
  async function newMember(phone: string): Promise<{ headers: Headers; id: string }> {
    const group = ctx.seed.units.find((u) => u.kind === 'group')!
    const created = await inject('POST', '/api/v1/admin/people', secretary, { orgUnitId: group.id, name: '告知测试', phone })
    expect(created.statusCode).toBe(201)
    const oneTime = created.json().password as string
    const login = await inject('POST', '/api/v1/auth/login', undefined, { phone, password: oneTime, deviceName: 'phone' })
    const headers = { authorization: `Bearer ${login.json().token}` }
    const changed = await inject('POST', '/api/v1/auth/password', headers, { currentPassword: oneTime, newPassword: '桃园春耕2026' })
    expect(changed.statusCode).toBe(200)
    return { headers, id: created.json().person.id as string }
  }

  it('shows demo people as having accepted, and a new person as not', async () => {
    expect((await inject('GET', '/api/v1/auth/me', secretary)).json().privacyAcceptedVersion).toBe(PRIVACY_NOTICE_VERSION)
    const m = await newMember('19900005001')
    expect((await inject('GET', '/api/v1/auth/me', m.headers)).json().privacyAcceptedVersion).toBeNull()
    // A record, not a gate: a phone that has not accepted yet still syncs.
    expect((await inject('GET', '/api/v1/sync/pull', m.headers)).statusCode).toBe(200)
  })

  it('records the accepted version, returns it from /me and audits it', async () => {
    const m = await newMember('19900005002')
    const res = await inject('POST', '/api/v1/auth/privacy', m.headers, { version: PRIVACY_NOTICE_VERSION })
    expect(res.statusCode).toBe(200)
    expect(res.json().privacyAcceptedVersion).toBe(PRIVACY_NOTICE_VERSION)
    expect((await inject('GET', '/api/v1/auth/me', m.headers)).json().privacyAcceptedVersion).toBe(PRIVACY_NOTICE_VERSION)
    const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.privacy_accept').where('person_id', '=', m.id).execute()
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0]!.detail)).toEqual({ version: PRIVACY_NOTICE_VERSION })
  })

  it('refuses a version other than the current notice, naming the field, and records nothing', async () => {
    const m = await newMember('19900005003')
    const res = await inject('POST', '/api/v1/auth/privacy', m.headers, { version: '1999-01' })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.version')
    expect((await inject('GET', '/api/v1/auth/me', m.headers)).json().privacyAcceptedVersion).toBeNull()
  })

  it('needs a session', async () => {
    expect((await inject('POST', '/api/v1/auth/privacy', undefined, { version: PRIVACY_NOTICE_VERSION })).statusCode).toBe(401)
  })
})
