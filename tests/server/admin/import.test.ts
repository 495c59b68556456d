import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { ImportEvent } from '../../../src/protocol/admin.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('member CSV import on %s', (dialect) => {
  let ctx: TestContext
  let secretaryA: Headers
  let supervisorX: Headers
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  const countPeople = async () => Number((await ctx.testDb.db.selectFrom('person').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const check = (headers: Headers, csv: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/admin/imports/members/check', headers, payload: { csv } })
  const run = (headers: Headers, csv: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/admin/imports/members', headers, payload: { csv } })
  const events = (body: string) => body.trim().split('\n').map((l) => JSON.parse(l) as ImportEvent)

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    secretaryA = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    supervisorX = await signIn(ctx.app, DEMO_LOGINS[4].phone)
  })
  afterAll(() => ctx.close())

  it('lists every bad row with its reason and writes nothing', async () => {
    const before = await countPeople()
    const csv = [
      '\uFEFF姓名,手机,党小组,流动党员,老弱,入党日期',
      '张一,13600000001,第一党小组,否,是,2001-07-01',
      ',13600000002,第一党小组,,,',
      '李三,1360000000,第一党小组,,,',
      '王四,13600000001,第二党小组,,,',
      `赵五,${DEMO_LOGINS[0].phone},第二党小组,,,`,
      '钱六,13600000006,第九党小组,,,',
      '孙七,13600000007,青禾县/白沙乡/河湾村党支部/第一党小组,,,',
      '周八,13600000008,第一党小组,也许,,',
      '吴九,13600000009,第一党小组,,,2001-13-01',
      '"郑十, 老党员",13600000010,第三党小组,1,0,',
    ].join('\r\n')
    const res = await check(secretaryA, csv)
    expect(res.statusCode).toBe(200)
    const { rows, errors } = res.json()
    expect(rows).toBe(10)
    expect(errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [3, 'MISSING_NAME'],
      [4, 'BAD_PHONE'],
      [5, 'DUPLICATE_PHONE_IN_FILE'],
      [6, 'PHONE_EXISTS'],
      [7, 'UNKNOWN_GROUP'],
      [8, 'GROUP_OUTSIDE'],
      [9, 'BAD_FLAG'],
      [10, 'BAD_DATE'],
    ])
    // The real import refuses the same file with the same list.
    const refused = await run(secretaryA, csv)
    expect(refused.statusCode).toBe(422)
    expect(refused.json().errors).toHaveLength(8)
    expect(await countPeople()).toBe(before)
  })

  it('says which header columns are missing (400) and refuses an over-long file (413)', async () => {
    const res = await check(secretaryA, 'name,mobile\n张一,13600000001')
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('CSV_COLUMNS')
    const huge = `name,phone,group\n${'张一,13600000001,第一党小组\n'.repeat(20_000)}`
    const big = await check(secretaryA, huge)
    expect(big.statusCode).toBe(413)
    const rows = `name,phone,group\n${'张一,13600000001,第一党小组\n'.repeat(2001)}`
    const many = await check(secretaryA, rows)
    expect(many.statusCode).toBe(413)
    expect(many.json().code).toBe('TOO_MANY_ROWS')
  })

  it('refuses a group leader outright', async () => {
    const leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    expect((await check(leader, 'name,phone,group\n张一,13600000001,第一党小组')).statusCode).toBe(403)
  })

  it('imports a clean file in one go, streaming progress, with one-time passwords that sign in', async () => {
    const before = await countPeople()
    const csv = [
      'name,phone,group,flowing,elderly',
      '张一,13600000001,第一党小组,no,yes',
      '王四,13600000004,桃园村党支部/第二党小组,,',
      `李五,13600000005,${unit('group', 2).id},1,`,
    ].join('\n')
    expect((await check(secretaryA, csv)).json().errors).toEqual([])
    const res = await run(secretaryA, csv)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/x-ndjson')
    const lines = events(res.body)
    expect(lines[0]).toEqual({ type: 'progress', done: 0, total: 3 })
    const done = lines.at(-1)!
    if (done.type !== 'done') throw new Error(res.body)
    expect(done.created.map((c) => c.phone)).toEqual(['13600000001', '13600000004', '13600000005'])
    expect(await countPeople()).toBe(before + 3)
    const rows = await ctx.testDb.db.selectFrom('person').selectAll().where('phone', 'in', ['13600000001', '13600000004', '13600000005']).orderBy('phone').execute()
    expect(rows.map((r) => [r.org_unit_id, r.is_flowing, r.is_elderly])).toEqual([
      [unit('group', 0).id, 0, 1],
      [unit('group', 1).id, 0, 0],
      [unit('group', 2).id, 1, 0],
    ])
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('target').where('action', '=', 'person.import').execute()
    expect(audit.map((a) => a.target).sort()).toEqual(rows.map((r) => r.id).sort())
    await signIn(ctx.app, '13600000004', done.created[1]!.password)
    // The same file again: every phone now exists, and nothing more is written.
    expect((await run(secretaryA, csv)).json().errors.map((e: { code: string }) => e.code)).toEqual(['PHONE_EXISTS', 'PHONE_EXISTS', 'PHONE_EXISTS'])
  })

  it('resolves group names from the root or from the importer’s own unit', async () => {
    const csv = ['name,phone,group', '甲,13600000101,第一党小组', '乙,13600000102,石桥村党支部/第一党小组', '丙,13600000103,柳溪镇/石桥村党支部/第二党小组', '丁,13600000104,青禾县/柳溪镇/桃园村党支部/第三党小组']
    const res = await check(supervisorX, csv.join('\n'))
    // A township holds many 第一党小组: the supervisor names the branch too.
    expect(res.json().errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([[2, 'UNKNOWN_GROUP']])
    expect(res.json().preview.map((p: { group: string }) => p.group)).toEqual(['第一党小组', '第二党小组', '第三党小组'])
  })
})
