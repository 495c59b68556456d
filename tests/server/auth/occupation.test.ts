/**
 * 我的 → 职业: a person sets or clears their own occupation category; the server takes only the
 * categories survey results split by, only for the caller, and audits the change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const MEMBER = DEMO_LOGINS[0].phone

describe.each(DIALECTS)('own occupation on %s', (dialect) => {
  let ctx: TestContext
  let headers: { authorization: string }
  let personId: string
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    headers = await signIn(ctx.app, MEMBER)
    personId = ctx.seed.people.find((p) => p.phone === MEMBER)!.id
  })
  afterAll(() => ctx.close())

  const put = (payload: object) => ctx.app.inject({ method: 'PUT', url: '/api/v1/auth/me/occupation', headers, payload })
  const stored = async () => (await ctx.testDb.db.selectFrom('person').select('occupation').where('id', '=', personId).executeTakeFirstOrThrow()).occupation

  it('sets, shows in the profile and clears the caller’s own category, with an audit entry', async () => {
    const res = await put({ occupation: 'migrant' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: personId, occupation: 'migrant' })
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).json().occupation).toBe('migrant')
    expect(await stored()).toBe('migrant')
    expect((await put({ occupation: null })).json().occupation).toBeNull()
    expect(await stored()).toBeNull()
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('detail').where('action', '=', 'auth.occupation').where('person_id', '=', personId).execute()
    expect(audit.map((a) => JSON.parse(a.detail))).toEqual([{ occupation: 'migrant' }, { occupation: null }])
  })

  it('refuses a category outside the list, naming the field, and changes nothing', async () => {
    await put({ occupation: 'teacher' })
    for (const body of [{ occupation: 'astronaut' }, { occupation: 'FARMER' }, { occupation: 3 }, {}]) {
      const res = await put(body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json().field).toMatch(/^body/)
    }
    expect(await stored()).toBe('teacher')
  })

  it('changes only the caller: a body naming another person is refused', async () => {
    const other = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[1].phone)!.id
    const res = await put({ occupation: 'retired', personId: other })
    expect(res.statusCode).toBe(400)
    expect(await stored()).toBe('teacher')
    expect((await ctx.testDb.db.selectFrom('person').select('occupation').where('id', '=', other).executeTakeFirstOrThrow()).occupation).toBeNull()
  })
})
