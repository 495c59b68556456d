import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CourseDraft, StudioItem } from '../../../src/protocol/studio.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }
const [MEMBER, , , SECRETARY, , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)

describe.each(DIALECTS)("a unit's specialty categories and a lecturer's page on %s", (dialect) => {
  let ctx: TestContext
  let editor: Headers
  let admin: Headers
  let member: Headers
  let secretary: Headers
  let districtId: string
  let categoryId: string
  let lecturerId: string

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: object) => ctx.app.inject({ method, url: `/api/v1${url}`, headers, payload })
  const course = (over: Partial<CourseDraft>): CourseDraft => ({
    type: 'course',
    title: '大棚蔬菜怎样过冬',
    kind: 'specialty',
    category: 'skills',
    description: '土专家讲大棚保温。',
    cover: null,
    lecturerId: null,
    lessons: [{ title: '保温', minutes: 12, body: '夜里加盖草帘。', audio: null }],
    ...over,
  })

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    ;[editor, admin, member, secretary] = await Promise.all([EDITOR, ADMIN, MEMBER, SECRETARY].map((p) => signIn(ctx.app, p!)))
    districtId = ctx.seed.units.find((u) => u.kind === 'district')!.id
  })
  afterAll(() => ctx.close())

  it('lets an editor add a specialty category for their district or township, once per title', async () => {
    const made = await call('POST', '/studio/categories', editor, { orgUnitId: districtId, title: '设施农业' })
    expect(made.statusCode).toBe(201)
    categoryId = made.json().id
    const again = await call('POST', '/studio/categories', editor, { orgUnitId: districtId, title: ' 设施农业 ' })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('CATEGORY_EXISTS')
    expect((await call('POST', '/studio/categories', member, { orgUnitId: districtId, title: '别的' })).statusCode).toBe(403)
    const branch = ctx.seed.units.find((u) => u.kind === 'branch')!.id
    expect((await call('POST', '/studio/categories', editor, { orgUnitId: branch, title: '别的' })).json().field).toBe('body.orgUnitId')
    const township = ctx.seed.units.find((u) => u.kind === 'township')!.id
    // A township's courses see the district's categories.
    const list = (await call('GET', `/studio/categories?orgUnitId=${township}`, editor)).json().items
    expect(list.map((c: { title: string }) => c.title)).toEqual(['设施农业'])
  })

  it('puts a course in that category with a pool lecturer; members get the title, the lecturer page lists it', async () => {
    const pool = (await call('GET', `/studio/lecturers?orgUnitId=${districtId}`, editor)).json().items
    lecturerId = pool[0].id
    const wrong = (await call('POST', '/studio/items', editor, { orgUnitId: districtId, draft: course({ category: 's-nothere' }) })).json() as StudioItem
    expect(wrong.problems.map((p) => p.field)).toEqual(['category'])
    let item = (await call('PUT', `/studio/items/${wrong.id}`, editor, { revision: wrong.revision, draft: course({ category: categoryId, lecturerId }) })).json() as StudioItem
    expect(item.problems).toEqual([])
    item = (await call('POST', `/studio/items/${item.id}/submit`, editor, { revision: item.revision })).json()
    expect((await call('POST', `/studio/items/${item.id}/approve`, admin, { revision: item.revision })).statusCode).toBe(200)

    const changes: { type: string; id: string; data: Record<string, unknown> | null }[] = []
    for (let since = '', more = true; more; ) {
      const page = (await call('GET', `/sync/pull?since=${since}`, member)).json()
      changes.push(...page.changes)
      since = page.cursor
      more = page.more
    }
    expect(changes.find((c) => c.id === item.contentId)?.data).toMatchObject({ category: categoryId, categoryTitle: '设施农业' })

    const page = await call('GET', `/lecturers/${lecturerId}/courses`, secretary)
    expect(page.statusCode).toBe(200)
    expect(page.json().items).toMatchObject([{ id: item.contentId, title: '大棚蔬菜怎样过冬', categoryTitle: '设施农业' }])
    expect((await call('GET', `/lecturers/${lecturerId}/courses`, member)).statusCode).toBe(404)
  })
})
