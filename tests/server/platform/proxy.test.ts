import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trustProxyFrom } from '../../../server/shared/trustProxy.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const LOAD_BALANCER = '10.0.0.2'
const REAL_CLIENT = '203.0.113.9'

/**
 * TRUST_PROXY=1 means one hop, the load balancer: it appends the address it saw to
 * X-Forwarded-For, so only the last entry is real; the ones before it are whatever the client sent.
 */
describe.each(DIALECTS)('client address behind TRUST_PROXY on %s', (dialect) => {
  let ctx: TestContext
  beforeAll(async () => {
    ctx = await buildTestApp(dialect, {
      trustProxy: trustProxyFrom('1'),
      loginLimits: { perIp: { max: 3, windowMs: 60_000 }, perPhone: { max: 100, windowMs: 60_000 } },
    })
  })
  afterAll(() => ctx.close())

  const login = (forwardedFor: string, phone: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: LOAD_BALANCER,
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { phone, password: 'wrong-password', deviceName: 'test' },
    })

  it('keys the per-address login limit by the address the load balancer saw, whatever the client puts before it', async () => {
    const codes: number[] = []
    for (let i = 0; i < 5; i++) {
      // A fresh made-up address and phone each time: only the real address can be counted.
      codes.push((await login(`1.2.3.${i}, ${REAL_CLIENT}`, `1370000000${i}`)).statusCode)
    }
    expect(codes).toEqual([401, 401, 401, 429, 429])
    // Another real client behind the same load balancer is not locked out.
    expect((await login(`1.2.3.4, 198.51.100.7`, '13700000009')).statusCode).toBe(401)
  })
})

describe('TRUST_PROXY values', () => {
  it('reads a hop count or a list of addresses and CIDRs, and nothing else', () => {
    expect(trustProxyFrom(undefined)).toBe(false)
    expect(trustProxyFrom('')).toBe(false)
    expect(trustProxyFrom('0')).toBe(false)
    const hops = (value: string) => {
      const trust = trustProxyFrom(value)
      if (typeof trust !== 'function') throw new Error(`${value} is not a hop rule`)
      return [0, 1, 2, 3].filter((hop) => trust('10.0.0.2', hop)).length
    }
    expect(hops('1')).toBe(1)
    expect(hops('2')).toBe(2)
    expect(trustProxyFrom('10.0.0.0/8, 192.168.1.5 ,::1')).toEqual(['10.0.0.0/8', '192.168.1.5', '::1'])
    for (const bad of ['true', 'yes', '-1', '1.5', '10.0.0.0/99', 'evil.example']) {
      expect(() => trustProxyFrom(bad), bad).toThrow(/TRUST_PROXY/)
    }
  })
})
