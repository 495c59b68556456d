import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { CaseProposal, ProposeCaseBody } from '../../../src/protocol/cases.ts'
import type { StudioItem } from '../../../src/protocol/studio.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
type Result = { id: string; status: string; code?: string; field?: string }
const [MEMBER, FLOWING, LEADER, SECRETARY, , ADMIN, EDITOR] = DEMO_LOGINS.map((l) => l.phone)

describe.each(DIALECTS)('好的进教材: reflections proposed as cases on %s', (dialect) => {
  let ctx: TestContext
  let member: Headers // the author, group 1
  let flowing: Headers // another member of group 1: the attacker
  let leader: Headers
  let secretary: Headers
  let admin: Headers
  let editor: Headers
  let stranger: Headers // a member of another township
  let groupId: string
  let districtId: string
  let townshipId: string
  let otherTownshipId: string
  let courseItem: StudioItem
  let memberName: string

  const push = async (headers: Headers, records: PushRecord[]): Promise<Result[]> => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', records } })
    expect(res.statusCode).toBe(200)
    return res.json().results
  }
  /** A reflection by the member, marked excellent by their group leader when `excellent`. */
  async function reflection(excellent = true, text = '带着老党员上门送学，三户人家的院子成了课堂。'): Promise<string> {
    const reflectionId = crypto.randomUUID()
    expect((await push(member, [record('reflection_post', { reflectionId, orgUnitId: groupId, text, photos: [] })]))[0]!.status).toBe('applied')
    if (excellent) expect((await push(leader, [record('reflection_review', { reflectionId, status: 'excellent' })]))[0]!.status).toBe('applied')
    return reflectionId
  }
  const propose = (headers: Headers, body: Partial<ProposeCaseBody> & { reflectionId: string }) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers,
      payload: { orgUnitId: districtId, target: 'lesson', courseItemId: courseItem.id, title: '院子里的课堂', note: '做法实在，适合作特色课案例。', ...body },
    })
  const consent = (proposalId: string, agree: boolean, showName = true, extra: Partial<PushRecord> = {}) => record('case_consent', { proposalId, agree, showName }, extra)
  const studioItem = async (id: string): Promise<StudioItem> => (await ctx.app.inject({ method: 'GET', url: `/api/v1/studio/items/${id}`, headers: editor })).json()
  const audit = (target: string) => ctx.testDb.db.selectFrom('audit_log').select(['action', 'detail']).where('target', '=', target).orderBy('id').execute()

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const author = ctx.seed.people.find((p) => p.phone === MEMBER)!
    memberName = author.name
    groupId = author.org_unit_id
    const group = ctx.seed.units.find((u) => u.id === groupId)!
    districtId = ctx.seed.units.find((u) => u.kind === 'district')!.id
    const townships = ctx.seed.units.filter((u) => u.kind === 'township')
    townshipId = townships.find((t) => group.path.startsWith(t.path))!.id
    const far = townships.find((t) => !group.path.startsWith(t.path))!
    otherTownshipId = far.id
    const farGroup = ctx.seed.units.find((u) => u.kind === 'group' && u.path.startsWith(far.path))!
    const farMember = ctx.seed.people.find((p) => p.org_unit_id === farGroup.id && !ctx.seed.roles.some((r) => r.person_id === p.id && r.role !== 'member'))!
    ;[member, flowing, leader, secretary, admin, editor, stranger] = await Promise.all([MEMBER, FLOWING, LEADER, SECRETARY, ADMIN, EDITOR, farMember.phone].map((p) => signIn(ctx.app, p!)))
    const made = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/studio/items',
      headers: editor,
      payload: {
        orgUnitId: districtId,
        draft: { type: 'course', title: '乡村振兴案例选', kind: 'specialty', category: 'rural-revitalisation', description: '各支部的好做法。', cover: null, lecturerId: null, lessons: [{ title: '导言', minutes: 5, body: '好的做法进教材。', audio: null }] },
      },
    })
    expect(made.statusCode).toBe(201)
    courseItem = made.json()
    await ctx.testDb.db
      .insertInto('pocket_category')
      .values({ id: 'cases', title: '基层案例', title_en: 'Cases', sort_order: 99, org_unit_id: districtId, version: 0, published_at: 0, deleted_at: null, content_hash: 'x' })
      .execute()
  })
  afterAll(() => ctx.close())

  it('asks the author before anything enters the studio; their agreement puts the case into the course draft once, with attribution', async () => {
    const reflectionId = await reflection()
    const res = await propose(secretary, { reflectionId })
    expect(res.statusCode).toBe(201)
    const proposal: CaseProposal = res.json()
    expect(proposal).toMatchObject({ status: 'asked', target: 'lesson', targetTitle: '乡村振兴案例选', authorName: memberName, showName: null, draftItemId: null })
    expect((await studioItem(courseItem.id)).draft).toMatchObject({ lessons: [{ title: '导言' }] })

    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/cases/mine', headers: member })).json()
    expect(mine.items.map((p: CaseProposal) => p.id)).toEqual([proposal.id])
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/cases/mine', headers: flowing })).json().items).toEqual([])

    const answer = consent(proposal.id, true, true)
    expect(await push(member, [answer])).toEqual([{ id: answer.id, status: 'applied' }])
    // The phone sends it again (the answer was lost): a duplicate, and no second lesson.
    expect(await push(member, [answer])).toEqual([{ id: answer.id, status: 'duplicate' }])
    const item = await studioItem(courseItem.id)
    expect(item.status).toBe('draft')
    expect(item.revision).toBe(courseItem.revision + 1)
    const lessons = item.draft.type === 'course' ? item.draft.lessons : []
    expect(lessons.map((l) => l.title)).toEqual(['导言', '院子里的课堂'])
    expect(lessons[1]!.body).toContain('三户人家的院子成了课堂')
    expect(lessons[1]!.body).toContain(memberName)
    expect(lessons[1]!.id).toMatch(/^s-/)
    expect(item.problems).toEqual([])

    const after: CaseProposal = (await ctx.app.inject({ method: 'GET', url: '/api/v1/cases/mine', headers: member })).json().items[0]
    expect(after).toMatchObject({ status: 'agreed', showName: true, draftItemId: courseItem.id })
    // A second answer from another phone is refused: the first one stands.
    expect((await push(member, [consent(proposal.id, false)]))[0]).toMatchObject({ status: 'rejected', code: 'CASE_ANSWERED' })
    expect((await audit(proposal.id)).map((a) => a.action)).toEqual(['case.propose', 'case.agree'])

    // The editor of the unit sees it among the unit's proposals; it then follows the normal review.
    const unitList = await ctx.app.inject({ method: 'GET', url: `/api/v1/cases?orgUnitId=${districtId}`, headers: editor })
    expect(unitList.json().items.map((p: CaseProposal) => p.id)).toContain(proposal.id)
    const submitted = await ctx.app.inject({ method: 'POST', url: `/api/v1/studio/items/${courseItem.id}/submit`, headers: editor, payload: { revision: item.revision } })
    expect(submitted.statusCode).toBe(200)
    const approved = await ctx.app.inject({ method: 'POST', url: `/api/v1/studio/items/${courseItem.id}/approve`, headers: admin, payload: { revision: item.revision } })
    expect(approved.json()).toMatchObject({ status: 'published', publishedVersion: 1 })
  })

  it('lets the author stay unnamed, and makes a pocket-book entry draft for a category target', async () => {
    const reflectionId = await reflection(true, '把党课搬到田间地头。')
    const proposal: CaseProposal = (await propose(editor, { reflectionId, target: 'pocket_entry', category: 'cases', courseItemId: undefined, title: '田间党课' })).json()
    expect(proposal).toMatchObject({ status: 'asked', target: 'pocket_entry', targetTitle: '基层案例' })
    expect((await push(member, [consent(proposal.id, true, false)]))[0]!.status).toBe('applied')
    const after: CaseProposal = (await ctx.app.inject({ method: 'GET', url: '/api/v1/cases/mine', headers: member })).json().items[0]
    const entry = await studioItem(after.draftItemId!)
    expect(entry).toMatchObject({ kind: 'pocket_entry', status: 'draft', orgUnitId: districtId, title: '田间党课', problems: [] })
    expect(entry.draft).toMatchObject({ category: 'cases', tags: ['案例'] })
    const body = entry.draft.type === 'pocket_entry' ? entry.draft.body : ''
    expect(body).toContain('把党课搬到田间地头')
    expect(body).toContain(after.branchName)
    expect(body).not.toContain(memberName)
    const list = (await ctx.app.inject({ method: 'GET', url: `/api/v1/studio/items?orgUnitId=${districtId}&kind=pocket_entry`, headers: editor })).json()
    expect(list.items.map((i: StudioItem) => i.id)).toContain(entry.id)
  })

  it('ends the proposal on a refusal: nothing enters the studio and it cannot be asked again', async () => {
    const reflectionId = await reflection(true, '入户走访时记下群众的三件难事。')
    const proposal: CaseProposal = (await propose(secretary, { reflectionId, title: '三件难事' })).json()
    const before = await studioItem(courseItem.id)
    expect((await push(member, [consent(proposal.id, false)]))[0]!.status).toBe('applied')
    const after = await studioItem(courseItem.id)
    expect(after.revision).toBe(before.revision)
    const row = await ctx.testDb.db.selectFrom('case_proposal').selectAll().where('id', '=', proposal.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'refused', draft_item_id: null, show_name: null })
    expect((await audit(proposal.id)).map((a) => a.action)).toEqual(['case.propose', 'case.refuse'])
    expect((await push(member, [consent(proposal.id, true)]))[0]).toMatchObject({ status: 'rejected', code: 'CASE_ANSWERED' })
    const again = await propose(editor, { reflectionId })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('CASE_EXISTS')
  })

  it('refuses proposals from members, from outside the proposer’s scope, and of reflections not marked excellent', async () => {
    const reflectionId = await reflection()
    for (const who of [member, flowing, leader, stranger]) {
      const res = await propose(who, { reflectionId })
      expect(res.statusCode).toBe(403)
    }
    // A unit that does not hold the author's group, or one below the studio's level.
    const elsewhere = await propose(admin, { reflectionId, orgUnitId: otherTownshipId })
    expect(elsewhere.statusCode).toBe(400)
    expect(elsewhere.json().field).toBe('body.orgUnitId')
    expect((await propose(secretary, { reflectionId, orgUnitId: groupId })).json().field).toBe('body.orgUnitId')
    // The course must be a studio course of the case's unit.
    expect((await propose(secretary, { reflectionId, orgUnitId: townshipId })).json().field).toBe('body.courseItemId')
    expect((await propose(secretary, { reflectionId, target: 'pocket_entry', courseItemId: undefined, category: 'nope' })).json().field).toBe('body.category')
    expect((await propose(secretary, { reflectionId, title: '  ' })).json().field).toBe('body.title')
    const plain = await reflection(false)
    const notExcellent = await propose(secretary, { reflectionId: plain })
    expect(notExcellent.statusCode).toBe(409)
    expect(notExcellent.json().code).toBe('NOT_EXCELLENT')
    expect((await propose(secretary, { reflectionId: crypto.randomUUID() })).statusCode).toBe(404)
    expect(await ctx.testDb.db.selectFrom('case_proposal').select('id').where('reflection_id', 'in', [reflectionId, plain]).execute()).toEqual([])
    // Nor may a member list a unit's proposals.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/cases?orgUnitId=${districtId}`, headers: member })).statusCode).toBe(403)
  })

  it('tells a proposer, and only a proposer, where an excellent reflection may go and where its proposal stands', async () => {
    const reflectionId = await reflection()
    const feedItem = async (headers: Headers) =>
      ((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections?orgUnitId=${groupId}&scope=excellent`, headers })).json().items as Record<string, unknown>[]).find((r) => r.id === reflectionId)!
    expect(await feedItem(secretary)).toMatchObject({ mayProposeCase: true, caseStatus: null })
    expect(await feedItem(member)).not.toHaveProperty('mayProposeCase')
    expect(await feedItem(flowing)).not.toHaveProperty('caseStatus')

    const targets = await ctx.app.inject({ method: 'GET', url: `/api/v1/cases/targets?reflectionId=${reflectionId}`, headers: secretary })
    expect(targets.statusCode).toBe(200)
    const body = targets.json() as { units: { id: string; courses: { id: string }[] }[]; categories: { id: string }[] }
    expect(body.units.map((u) => u.id)).toEqual([districtId, townshipId])
    expect(body.units[0]!.courses.map((c) => c.id)).toContain(courseItem.id)
    expect(body.categories.map((c) => c.id)).toContain('cases')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/cases/targets?reflectionId=${reflectionId}`, headers: member })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/cases/targets?reflectionId=${crypto.randomUUID()}`, headers: secretary })).statusCode).toBe(404)

    expect((await propose(secretary, { reflectionId })).statusCode).toBe(201)
    expect(await feedItem(secretary)).toMatchObject({ mayProposeCase: true, caseStatus: 'asked' })
  })

  it('refuses an answer from anyone but the author, and one to a proposal that does not exist', async () => {
    const reflectionId = await reflection()
    const proposal: CaseProposal = (await propose(secretary, { reflectionId })).json()
    for (const who of [flowing, stranger, secretary]) {
      expect((await push(who, [consent(proposal.id, true)]))[0]).toMatchObject({ status: 'rejected', code: 'CASE_NOT_YOURS', field: 'payload.proposalId' })
    }
    expect((await push(member, [consent(crypto.randomUUID(), true)]))[0]).toMatchObject({ status: 'rejected', code: 'CASE_NOT_FOUND' })
    const row = await ctx.testDb.db.selectFrom('case_proposal').select('status').where('id', '=', proposal.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('asked')
  })
})
