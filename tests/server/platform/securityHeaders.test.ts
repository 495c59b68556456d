import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { trustProxyFrom } from '../../../server/shared/trustProxy.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

/** A stand-in for dist/: the headers do not depend on what the files hold. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pps-headers-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="/assets/index.js"></script>')
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  return dir
}

type Injected = Awaited<ReturnType<TestContext['app']['inject']>>

/** What every response must carry, whatever its type. */
function expectHardened(res: Injected, what: string): void {
  expect(res.headers['x-content-type-options'], what).toBe('nosniff')
  expect(res.headers['referrer-policy'], what).toBe('no-referrer')
  expect(res.headers['x-frame-options'], what).toBe('DENY')
  const csp = String(res.headers['content-security-policy'])
  expect(csp, what).toContain("frame-ancestors 'none'")
  expect(csp, what).toContain("script-src 'self'")
  expect(csp, what).not.toMatch(/unsafe-eval|unsafe-inline/)
  // Plain HTTP: HSTS would be ignored at best.
  expect(res.headers['strict-transport-security'], what).toBeUndefined()
}

describe.each(DIALECTS)('security headers on %s', (dialect) => {
  let ctx: TestContext
  let dist: string
  let secretary: { authorization: string }
  beforeAll(async () => {
    dist = fakeDist()
    ctx = await buildTestApp(dialect, { staticDir: dist })
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
  })
  afterAll(async () => {
    await ctx.close()
    rmSync(dist, { recursive: true, force: true })
  })

  it('sends them with the app shell and a deep link, keeping their caching rules', async () => {
    const shell = await ctx.app.inject({ url: '/' })
    expect(shell.headers['content-type']).toMatch(/text\/html/)
    expectHardened(shell, 'index.html')
    const deep = await ctx.app.inject({ url: '/study/some-course' })
    expectHardened(deep, 'deep link')
    expect(deep.headers['cache-control']).toBe('no-cache')
    const sw = await ctx.app.inject({ url: '/sw.js' })
    expectHardened(sw, 'sw.js')
    expect(sw.headers['cache-control']).toBe('no-cache')
    expect(sw.headers['service-worker-allowed']).toBe('/')
  })

  it('sends them with API JSON, errors included', async () => {
    expectHardened(await ctx.app.inject({ url: '/api/v1/auth/me', headers: secretary }), 'JSON')
    expectHardened(await ctx.app.inject({ url: '/api/v1/auth/me' }), '401')
    expectHardened(await ctx.app.inject({ url: '/api/v1/nothing-here' }), '404')
  })

  it('sends them with a CSV export', async () => {
    const member = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    const csv = await ctx.app.inject({ url: `/api/v1/archive/${member.id}/export.csv?year=2026`, headers: secretary })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toMatch(/text\/csv/)
    expectHardened(csv, 'CSV')
  })

  it('sends them with media, which stay cacheable for a year', async () => {
    const audio = await ctx.app.inject({ url: '/media/audio/rural-safety-01.ogg?v=1' })
    expect(audio.statusCode).toBe(200)
    expectHardened(audio, 'media')
    expect(audio.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })
})

describe('HSTS', () => {
  let behindProxy: TestContext
  let direct: TestContext
  beforeAll(async () => {
    ;[behindProxy, direct] = await Promise.all([
      buildTestApp('sqlite', { trustProxy: trustProxyFrom('1') }),
      buildTestApp('sqlite'),
    ])
  })
  afterAll(async () => {
    await Promise.all([behindProxy.close(), direct.close()])
  })

  it('is sent when the trusted proxy says the request came over TLS, not when a client says so', async () => {
    const https = { 'x-forwarded-proto': 'https' }
    const viaProxy = await behindProxy.app.inject({ url: '/api/health', headers: https })
    expect(viaProxy.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/)
    expect((await behindProxy.app.inject({ url: '/api/health' })).headers['strict-transport-security']).toBeUndefined()
    expect((await direct.app.inject({ url: '/api/health', headers: https })).headers['strict-transport-security']).toBeUndefined()
  })
})
