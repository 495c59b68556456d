import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('lecturer pool 师资库 on %s', (dialect) => {
  let ctx: TestContext
  let supervisorX: Headers
  let supervisorY: Headers
  let secretaryA: Headers
  let secretaryB: Headers
  let lecturerId: string
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  const phoneOfRole = (role: string, unitId: string) => ctx.seed.people.find((p) => ctx.seed.roles.some((r) => r.person_id === p.id && r.role === role && r.org_unit_id === unitId))!.phone

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    supervisorX = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    supervisorY = await signIn(ctx.app, phoneOfRole('supervisor', unit('township', 1).id))
    secretaryA = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    secretaryB = await signIn(ctx.app, phoneOfRole('secretary', unit('branch', 2).id))
  })
  afterAll(() => ctx.close())

  it('lets a supervisor add a lecturer for their township, and not for another one or as a secretary', async () => {
    const body = { name: '陈教授', title: '县委党校 讲师', topics: ['党史', '乡村振兴'], contact: '13912345678', orgUnitId: unit('township', 0).id }
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/lecturers', headers: supervisorX, payload: body })
    expect(res.statusCode).toBe(201)
    lecturerId = res.json().id
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/lecturers', headers: supervisorY, payload: body })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/lecturers', headers: secretaryA, payload: { ...body, orgUnitId: unit('branch', 0).id } })).statusCode).toBe(403)
    const audit = await ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', 'lecturer.create').execute()
    expect(audit).toHaveLength(1)
  })

  it('shows a township’s lecturers to its branches only', async () => {
    const names = (res: { json(): { items: { name: string; canManage: boolean }[] } }) => res.json().items.map((l) => [l.name, l.canManage])
    const own = await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturers?orgUnitId=${unit('branch', 0).id}`, headers: secretaryA })
    expect(names(own)).toContainEqual(['陈教授', false])
    const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturers?orgUnitId=${unit('branch', 2).id}`, headers: secretaryB })
    expect(names(other).map(([name]) => name)).not.toContain('陈教授')
    // County lecturers (the demo pool) serve every branch.
    expect(names(other).map(([name]) => name)).toContain('周文华')
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturers?orgUnitId=${unit('branch', 0).id}`, headers: secretaryB })).statusCode).toBe(403)
  })

  it('carries a branch’s request to the lecturer’s supervisor, who accepts it once', async () => {
    const meetingAt = Date.now() + 7 * 86_400_000
    const refused = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturers/${lecturerId}/requests`, headers: secretaryB, payload: { orgUnitId: unit('branch', 2).id, meetingAt, topic: '党史' } })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe('NOT_SERVED')
    const made = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturers/${lecturerId}/requests`, headers: secretaryA, payload: { orgUnitId: unit('branch', 0).id, meetingAt, topic: '党史', note: '七一党课' } })
    expect(made.statusCode).toBe(201)
    expect(made.json()).toMatchObject({ status: 'requested', canDecide: false })

    const inbox = await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturer-requests?orgUnitId=${unit('township', 0).id}&side=incoming`, headers: supervisorX })
    expect(inbox.json().items.map((r: { id: string; canDecide: boolean }) => [r.id, r.canDecide])).toEqual([[made.json().id, true]])
    const otherInbox = await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturer-requests?orgUnitId=${unit('township', 1).id}&side=incoming`, headers: supervisorY })
    expect(otherInbox.json().items).toEqual([])
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturer-requests?orgUnitId=${unit('branch', 0).id}&side=incoming`, headers: secretaryA })).statusCode).toBe(403)

    const byOther = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturer-requests/${made.json().id}/decision`, headers: supervisorY, payload: { status: 'accepted' } })
    expect(byOther.statusCode).toBe(403)
    const accepted = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturer-requests/${made.json().id}/decision`, headers: supervisorX, payload: { status: 'accepted', answer: '按时到' } })
    expect(accepted.json()).toMatchObject({ status: 'accepted', answer: '按时到' })
    const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturer-requests/${made.json().id}/decision`, headers: supervisorX, payload: { status: 'declined' } })
    expect(again.statusCode).toBe(409)

    const mine = await ctx.app.inject({ method: 'GET', url: `/api/v1/lecturer-requests?orgUnitId=${unit('branch', 0).id}&side=outgoing`, headers: secretaryA })
    expect(mine.json().items[0]).toMatchObject({ status: 'accepted', lecturerName: '陈教授' })
    const actions = await ctx.testDb.db.selectFrom('audit_log').select('action').where('action', 'like', 'lecturer.%').orderBy('id').execute()
    expect(actions.map((a) => a.action)).toEqual(['lecturer.create', 'lecturer.request', 'lecturer.accepted'])
  })

  it('answers 400 naming the field for a meeting time no clock can hold, and stores nothing', async () => {
    const before = await ctx.testDb.db.selectFrom('lecturer_request').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturers/${lecturerId}/requests`, headers: secretaryA, payload: { orgUnitId: unit('branch', 0).id, meetingAt: 1e308, topic: '党史' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.meetingAt')
    const after = await ctx.testDb.db.selectFrom('lecturer_request').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('takes a retired lecturer out of requests', async () => {
    const retired = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/lecturers/${lecturerId}`, headers: supervisorX, payload: { retired: true } })
    expect(retired.json().retired).toBe(true)
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/lecturers/${lecturerId}/requests`, headers: secretaryA, payload: { orgUnitId: unit('branch', 0).id, meetingAt: Date.now(), topic: '党史' } })
    expect(res.json().code).toBe('LECTURER_RETIRED')
  })
})
