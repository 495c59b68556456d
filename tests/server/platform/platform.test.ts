import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../../server/db/migrate.ts'
import { isSeeded } from '../../../server/seed/demo.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

describe.each(DIALECTS)('platform on %s', (dialect) => {
  let ctx: TestContext
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
  })
  afterAll(() => ctx.close())

  it('reports a healthy database', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok', database: dialect })
  })

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/org/units/{id}/members']))
    expect(doc.paths['/api/v1/auth/login'].post.responses['401']).toBeDefined()
  })

  it('seeds the demo organisation with every level and role', async () => {
    const kinds = ctx.seed.units.map((u) => u.kind)
    expect(kinds.filter((k) => k === 'district')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'township')).toHaveLength(2)
    expect(kinds.filter((k) => k === 'branch')).toHaveLength(4)
    expect(kinds.filter((k) => k === 'group')).toHaveLength(10)
    expect(ctx.seed.people.length).toBeGreaterThanOrEqual(120)
    expect(new Set(ctx.seed.roles.map((r) => r.role))).toEqual(new Set(['member', 'group_leader', 'secretary', 'supervisor', 'admin', 'editor']))
    expect(ctx.seed.people.some((p) => p.is_flowing)).toBe(true)
    expect(ctx.seed.people.some((p) => p.is_elderly)).toBe(true)
  })

  it('migrates again without change and knows it is already seeded', async () => {
    await migrateToLatest(ctx.testDb.db)
    expect(await isSeeded(ctx.testDb.db)).toBe(true)
  })

  it('answers an unknown API path with a 404 error body', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('NOT_FOUND')
  })
})
