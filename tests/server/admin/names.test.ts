import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

/**
 * Names that look like something else on a roster, a printed password list or the audit log:
 * invisible (zero-width only), reordered (RTL override), split over lines, or not text at all
 * (NUL, a lone surrogate that PostgreSQL cannot store and a CSV turns into garbage).
 */
const BAD_NAMES: [string, string][] = [
  ['NUL', '王\u0000五'],
  ['lone surrogate', '王\ud800五'],
  ['zero-width only', '\u200b\u200c\u200d'],
  ['RTL override', '王\u202e五六'],
  ['bidi isolate', '\u2067王五'],
  ['newline', '王五\n李四'],
  ['line separator', '王五\u2028李四'],
  ['tab', '王\t五'],
]

describe.each(DIALECTS)('one name rule for people on %s', (dialect) => {
  let ctx: TestContext
  let secretary: { authorization: string }
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  let phone = 13611110000

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
  })
  afterAll(() => ctx.close())

  it.each(BAD_NAMES)('refuses a %s in a name when adding or editing a person, naming the field', async (_what, name) => {
    const added = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/people', headers: secretary, payload: { name, phone: String(++phone), orgUnitId: unit('group', 0).id } })
    expect(added.statusCode).toBe(400)
    expect(added.json().field).toBe('body.name')
    const member = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    const edited = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/people/${member.id}`, headers: secretary, payload: { name } })
    expect(edited.statusCode).toBe(400)
    expect(edited.json().field).toBe('body.name')
    const row = await ctx.testDb.db.selectFrom('person').select('name').where('id', '=', member.id).executeTakeFirstOrThrow()
    expect(row.name).toBe(member.name)
  })

  it('refuses the same names in an import, row by row, and imports nothing', async () => {
    // A NUL or a lone surrogate is not text at all: the API refuses the whole request in one place
    // (server/shared/inputText.ts); every other bad name is named on its own row.
    const notText = new Set(['NUL', 'lone surrogate'])
    for (const [what, name] of BAD_NAMES.filter(([what]) => notText.has(what))) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/imports/members/check', headers: secretary, payload: { csv: `姓名,手机,党小组\r\n"${name}",13612220000,第一党小组` } })
      expect(res.statusCode, what).toBe(400)
      expect(res.json().field, what).toBe('body.csv')
    }
    const readable = BAD_NAMES.filter(([what]) => !notText.has(what))
    const csv = ['姓名,手机,党小组', ...readable.map(([, name], i) => `"${name}",1361222000${i},第一党小组`)].join('\r\n')
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/imports/members/check', headers: secretary, payload: { csv } })
    expect(res.statusCode).toBe(200)
    const badRows = res.json().errors.filter((e: { column: string }) => e.column === 'name').map((e: { row: number }) => e.row)
    // Row 1 is the header. A quoted newline keeps its row whole: the name is still one cell.
    expect(new Set(badRows).size).toBe(readable.length)
  })

  it('still takes ordinary names, with a middle dot, spaces and letters', async () => {
    for (const name of ['阿依古丽·买买提', '王 五', 'Li Wei', '欧阳娜娜']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/people', headers: secretary, payload: { name, phone: String(++phone), orgUnitId: unit('group', 0).id } })
      expect(res.statusCode, name).toBe(201)
    }
  })
})
