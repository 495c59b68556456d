import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('org tree, people and roles administration on %s', (dialect) => {
  let ctx: TestContext
  let admin: Headers
  let supervisorX: Headers
  let secretaryA: Headers
  let leader: Headers
  const unit = (kind: string, index: number) => ctx.seed.units.filter((u) => u.kind === kind)[index]!
  const personOf = (phone: string) => ctx.seed.people.find((p) => p.phone === phone)!
  const pathOf = async (id: string) =>
    (await ctx.testDb.db.selectFrom('org_unit').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path
  const auditOf = (action: string, target: string) =>
    ctx.testDb.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('target', '=', target).execute()

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    supervisorX = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    secretaryA = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
  })
  afterAll(() => ctx.close())

  it('shows a secretary their branch with its groups, and 403 for the next branch', async () => {
    const own = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}`, headers: secretaryA })
    expect(own.statusCode).toBe(200)
    expect(own.json().children.map((c: { kind: string }) => c.kind)).toEqual(['group', 'group', 'group'])
    expect(own.json().children[0].memberCount).toBe(12)
    const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 1).id}`, headers: secretaryA })
    expect(other.statusCode).toBe(403)
    const byLeader = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('group', 0).id}`, headers: leader })
    expect(byLeader.statusCode).toBe(403)
  })

  it('lets a township supervisor add, rename and read units only in their township', async () => {
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/units', headers: supervisorX, payload: { parentId: unit('township', 0).id, name: '新村党支部' } })
    expect(created.statusCode).toBe(201)
    expect(created.json().kind).toBe('branch')
    const renamed = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/units/${created.json().id}`, headers: supervisorX, payload: { name: '新丰村党支部' } })
    expect(renamed.json().unit.name).toBe('新丰村党支部')
    expect(await auditOf('unit.rename', created.json().id)).toHaveLength(1)
    const twin = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/units', headers: supervisorX, payload: { parentId: unit('township', 0).id, name: '新丰村党支部' } })
    expect(twin.statusCode).toBe(409)
    expect(twin.json().code).toBe('NAME_TAKEN')

    const townshipY = unit('township', 1)
    for (const res of [
      await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${townshipY.id}`, headers: supervisorX }),
      await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${townshipY.id}/people`, headers: supervisorX }),
      await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${townshipY.id}/audit`, headers: supervisorX }),
      await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/units', headers: supervisorX, payload: { parentId: townshipY.id, name: 'x' } }),
      await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/units/${townshipY.id}`, headers: supervisorX, payload: { name: 'x' } }),
    ]) {
      expect(res.statusCode).toBe(403)
    }
    expect((await ctx.testDb.db.selectFrom('org_unit').select('name').where('id', '=', townshipY.id).executeTakeFirstOrThrow()).name).toBe('白沙乡')
    const group = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/units', headers: supervisorX, payload: { parentId: unit('group', 0).id, name: 'x' } })
    expect(group.statusCode).toBe(409)
    expect(group.json().code).toBe('NO_CHILD_KIND')
  })

  it('moves a branch with its groups and people to another township, rewriting every path below it', async () => {
    const branch = unit('branch', 3) // 竹林村, township Y
    const before = await ctx.testDb.db.selectFrom('org_unit').select(['id', 'path']).where('parent_id', '=', branch.id).execute()
    // The township-X supervisor cannot take it: the branch lies outside their subtree.
    const stolen = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${branch.id}/move`, headers: supervisorX, payload: { parentId: unit('township', 0).id } })
    expect(stolen.statusCode).toBe(403)
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${branch.id}/move`, headers: admin, payload: { parentId: unit('township', 0).id } })
    expect(res.statusCode).toBe(200)
    const newPath = `${unit('township', 0).path}${branch.id}/`
    expect(await pathOf(branch.id)).toBe(newPath)
    for (const child of before) expect(await pathOf(child.id)).toBe(`${newPath}${child.id}/`)
    // Now the township-X supervisor sees its members, and its audit entry sits in their subtree.
    const people = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${branch.id}/people?limit=200`, headers: supervisorX })
    expect(people.json().items).toHaveLength(24)
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('township', 0).id}/audit?action=unit.move`, headers: supervisorX })
    expect(audit.json().items[0].target).toBe(branch.id)
  })

  it('refuses to move a unit into its own subtree or to a level that does not fit', async () => {
    const branch = unit('branch', 0)
    const into = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${branch.id}/move`, headers: admin, payload: { parentId: unit('group', 0).id } })
    expect(into.statusCode).toBe(409)
    expect(into.json().code).toBe('MOVE_INTO_ITSELF')
    const level = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${branch.id}/move`, headers: admin, payload: { parentId: unit('branch', 1).id } })
    expect(level.json().code).toBe('KIND_MISMATCH')
    expect(await pathOf(branch.id)).toBe(branch.path)
  })

  it('retires only a unit without active members', async () => {
    const busy = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${unit('group', 1).id}/retire`, headers: supervisorX })
    expect(busy.statusCode).toBe(409)
    expect(busy.json().code).toBe('UNIT_HAS_MEMBERS')
    const empty = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/units', headers: supervisorX, payload: { parentId: unit('branch', 0).id, name: '第四党小组' } })
    const retired = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/units/${empty.json().id}/retire`, headers: supervisorX })
    expect(retired.json().unit.retired).toBe(true)
    const add = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/people', headers: supervisorX, payload: { name: '新人', phone: '13711110000', orgUnitId: empty.json().id } })
    expect(add.statusCode).toBe(409)
    expect(add.json().code).toBe('UNIT_RETIRED')
  })

  it('searches people by name or phone prefix within the subtree only', async () => {
    const member = personOf(DEMO_LOGINS[0].phone)
    const byName = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/people?q=${encodeURIComponent(member.name.slice(0, 2))}`, headers: secretaryA })
    expect(byName.json().items.map((p: { id: string }) => p.id)).toContain(member.id)
    const byPhone = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/people?q=1380000000`, headers: secretaryA })
    expect(byPhone.json().items.map((p: { phone: string }) => p.phone).sort()).toEqual(['13800000001', '13800000002', '13800000003', '13800000004'])
    const outside = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/people?q=13800000006`, headers: secretaryA })
    expect(outside.json().items).toEqual([])
    const page1 = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/people?limit=20`, headers: secretaryA })
    const page2 = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/people?limit=20&cursor=${page1.json().next}`, headers: secretaryA })
    const ids = [...page1.json().items, ...page2.json().items].map((p: { id: string }) => p.id)
    expect(new Set(ids).size).toBe(36)
  })

  it('adds a person with a one-time password that signs in, and moves them to another group', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/people', headers: secretaryA, payload: { name: '刘新党', phone: '13712345678', orgUnitId: unit('group', 0).id, isElderly: true } })
    expect(res.statusCode).toBe(201)
    const { person, password } = res.json()
    expect(password).toMatch(/^\d{8}$/)
    await signIn(ctx.app, '13712345678', password)
    const dup = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/people', headers: secretaryA, payload: { name: '重号', phone: '13712345678', orgUnitId: unit('group', 0).id } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().field).toBe('body.phone')

    const moved = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${person.id}/move`, headers: secretaryA, payload: { orgUnitId: unit('group', 1).id } })
    expect(moved.statusCode).toBe(200)
    expect(moved.json().orgUnitId).toBe(unit('group', 1).id)
    expect(moved.json().roles).toEqual([expect.objectContaining({ role: 'member', orgUnitId: unit('group', 1).id })])
    const [entry] = await auditOf('person.move', person.id)
    expect(entry!.device).toBe('test')
    expect(JSON.parse(entry!.detail).toId).toBe(unit('group', 1).id)

    // Not to a group of another branch: the secretary leads only their own.
    const away = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${person.id}/move`, headers: secretaryA, payload: { orgUnitId: unit('group', 3).id } })
    expect(away.statusCode).toBe(403)
  })

  it('refuses a secretary of branch A every change to people of branch B', async () => {
    const outsider = ctx.seed.people.find((p) => p.org_unit_id === unit('group', 3).id)!
    for (const [method, url, payload] of [
      ['GET', `/api/v1/admin/people/${outsider.id}`, undefined],
      ['PATCH', `/api/v1/admin/people/${outsider.id}`, { isFlowing: true }],
      ['POST', `/api/v1/admin/people/${outsider.id}/status`, { status: 'inactive' }],
      ['POST', `/api/v1/admin/people/${outsider.id}/password`, undefined],
      ['POST', `/api/v1/admin/people/${outsider.id}/move`, { orgUnitId: unit('group', 0).id }],
      ['POST', `/api/v1/admin/people/${outsider.id}/roles`, { role: 'group_leader', orgUnitId: unit('group', 3).id }],
      ['POST', '/api/v1/admin/people', { name: '外人', phone: '13799990000', orgUnitId: unit('group', 3).id }],
    ] as const) {
      const res = await ctx.app.inject({ method, url, headers: secretaryA, payload })
      expect(res.statusCode, `${method} ${url}`).toBe(403)
    }
    const row = await ctx.testDb.db.selectFrom('person').selectAll().where('id', '=', outsider.id).executeTakeFirstOrThrow()
    expect([row.status, row.org_unit_id, row.is_flowing]).toEqual(['active', outsider.org_unit_id, outsider.is_flowing])
  })

  it('deactivating a person signs them out everywhere and keeps them from signing in', async () => {
    const target = ctx.seed.people.find((p) => p.org_unit_id === unit('group', 0).id && p.phone.startsWith('139'))!
    const session = await signIn(ctx.app, target.phone)
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${target.id}/status`, headers: secretaryA, payload: { status: 'inactive' } })
    expect(res.json().status).toBe('inactive')
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: session })).statusCode).toBe(401)
    await expect(signIn(ctx.app, target.phone)).rejects.toThrow(/401/)
    const live = await ctx.testDb.db.selectFrom('session').select('id').where('person_id', '=', target.id).where('revoked_at', 'is', null).execute()
    expect(live).toEqual([])
    const listed = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('group', 0).id}/people?status=active&limit=200`, headers: secretaryA })
    expect(listed.json().items.map((p: { id: string }) => p.id)).not.toContain(target.id)
    expect(await auditOf('person.deactivate', target.id)).toHaveLength(1)
    const self = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${personOf(DEMO_LOGINS[3].phone).id}/status`, headers: secretaryA, payload: { status: 'inactive' } })
    expect(self.statusCode).toBe(403)
  })

  it('grants roles only up to the actor’s own rank and inside their subtree', async () => {
    const member = personOf(DEMO_LOGINS[0].phone)
    const asLeader = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${member.id}/roles`, headers: secretaryA, payload: { role: 'group_leader', orgUnitId: unit('group', 0).id } })
    expect(asLeader.statusCode).toBe(200)
    expect(asLeader.json().roles.map((r: { role: string }) => r.role)).toContain('group_leader')
    const above = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${member.id}/roles`, headers: secretaryA, payload: { role: 'supervisor', orgUnitId: unit('township', 0).id } })
    expect(above.statusCode).toBe(403)
    const wrongKind = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${member.id}/roles`, headers: secretaryA, payload: { role: 'secretary', orgUnitId: unit('group', 0).id } })
    expect(wrongKind.statusCode).toBe(400)
    expect(wrongKind.json().field).toBe('body.orgUnitId')
    const own = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${personOf(DEMO_LOGINS[3].phone).id}/roles`, headers: secretaryA, payload: { role: 'group_leader', orgUnitId: unit('group', 0).id } })
    expect(own.statusCode).toBe(403)
    const bySupervisor = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/people/${member.id}/roles`, headers: supervisorX, payload: { role: 'secretary', orgUnitId: unit('branch', 0).id } })
    expect(bySupervisor.statusCode).toBe(200)
    // Now a secretary of the same branch, the member is secretaryA's peer: only someone above both changes their roles.
    const byPeer = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/admin/people/${member.id}/roles?role=group_leader&orgUnitId=${unit('group', 0).id}`, headers: secretaryA })
    expect(byPeer.statusCode).toBe(403)
    const revoke = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/admin/people/${member.id}/roles?role=group_leader&orgUnitId=${unit('group', 0).id}`, headers: supervisorX })
    expect(revoke.json().roles.map((r: { role: string }) => r.role).sort()).toEqual(['member', 'secretary'])
    const grants = await ctx.testDb.db.selectFrom('audit_log').select('action').where('target', '=', member.id).where('action', 'like', 'role.%').execute()
    expect(grants.map((g) => g.action)).toEqual(['role.grant', 'role.grant', 'role.revoke'])
  })

  it('lists a subtree’s audit log for its supervisor, newest first, filtered by actor and paged', async () => {
    const township = unit('township', 0)
    const secretaryId = personOf(DEMO_LOGINS[3].phone).id
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${township.id}/audit?actorId=${secretaryId}&limit=2`, headers: supervisorX })
    expect(res.statusCode).toBe(200)
    const page = res.json()
    expect(page.items).toHaveLength(2)
    expect(page.items.every((e: { actorId: string; device: string }) => e.actorId === secretaryId && e.device === 'test')).toBe(true)
    expect(page.items[0].id).toBeGreaterThan(page.items[1].id)
    const next = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${township.id}/audit?actorId=${secretaryId}&limit=2&cursor=${page.next}`, headers: supervisorX })
    expect(next.json().items[0].id).toBeLessThan(page.items[1].id)
    const bySecretary = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/units/${unit('branch', 0).id}/audit`, headers: secretaryA })
    expect(bySecretary.statusCode).toBe(403)
  })
})
