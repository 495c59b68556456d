import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../../server/app.ts'
import { seedDemo, DEMO_PASSWORD } from '../../../server/seed/demo.ts'
import { logFormatFrom, loggerOptions, urlForLog } from '../../../server/shared/logging.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import { signIn, TEST_COST } from '../../support/testApp.ts'
import { openTestDb, type TestDb } from '../../support/testDb.ts'

describe('logs', () => {
  let testDb: TestDb
  let seed: Awaited<ReturnType<typeof seedDemo>>
  let app: App
  const lines: string[] = []
  beforeAll(async () => {
    testDb = await openTestDb('sqlite')
    seed = await seedDemo(testDb.db, { passwordCost: TEST_COST })
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    app = await buildApp({ handle: testDb, logger: { ...loggerOptions({ level: 'info', format: 'json' }), stream } })
  })
  afterAll(async () => {
    await app.close()
    await testDb.drop()
  })

  it('write requests as JSON without tokens, passwords, phone numbers or what members wrote', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: '13800000002', password: 'wrong-Secret-77', deviceName: 'test' } })
    const member = await signIn(app, '13800000001')
    const group = seed.units.find((u) => u.kind === 'group')!
    const payload = { reflectionId: uuidv7(), orgUnitId: group.id, text: '我的学习心得 private words', photos: [] }
    const push = await app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: member,
      payload: { deviceId: 'phone', records: [{ id: uuidv7(), kind: 'reflection_post', payload, createdAt: Date.now(), deviceId: 'phone' }] },
    })
    expect(push.statusCode).toBe(200)
    const secretary = await signIn(app, '13800000004')
    const branch = seed.units.find((u) => u.kind === 'branch')!
    const search = await app.inject({ method: 'GET', url: `/api/v1/admin/units/${branch.id}/people?q=13800000002&limit=5`, headers: secretary })
    expect(search.statusCode).toBe(200)

    const log = lines.join('')
    const entries = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } })
    // The requests were logged, with their shape but not their values.
    expect(entries.map((e) => e.req?.url)).toContain(`/api/v1/admin/units/${branch.id}/people?q=~&limit=~`)
    expect(entries.some((e) => e.msg === 'signed in')).toBe(true)
    for (const secret of [DEMO_PASSWORD, 'wrong-Secret-77', member.authorization.slice(7), secretary.authorization.slice(7), '心得', 'private words']) {
      expect(log).not.toContain(secret)
    }
    expect(log).not.toMatch(/1380000000\d/)
  })

  it('reads LOG_FORMAT, and unset is pretty only on a terminal', () => {
    expect(logFormatFrom(undefined, true)).toBe('pretty')
    expect(logFormatFrom(undefined, false)).toBe('json')
    expect(logFormatFrom('json', true)).toBe('json')
    expect(() => logFormatFrom('yaml', false)).toThrow(/LOG_FORMAT must be json or pretty/)
  })

  it('masks a query key that is not a name', () => {
    expect(urlForLog('/api/v1/x?13800000002&a=1')).toBe('/api/v1/x?~=~&a=~')
  })
})
