import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { DEMO_CENTRE } from '../../../server/seed/studyPoints.ts'
import { areaCellOf, cellBlockE6 } from '../../../src/protocol/areaCell.ts'
import type { StudyPoint, StudyPointArea, StudyPointInput } from '../../../src/protocol/studyPoints.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

type Headers = { authorization: string }

describe.each(DIALECTS)('study points on %s', (dialect) => {
  let ctx: TestContext
  let member: Headers
  let supervisor: Headers
  let liuxi: string
  let baisha: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    supervisor = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    liuxi = ctx.seed.units.find((u) => u.name === '柳溪镇')!.id
    baisha = ctx.seed.units.find((u) => u.name === '白沙乡')!.id
  })
  afterAll(() => ctx.close())

  const get = (url: string, headers: Headers = member) => ctx.app.inject({ method: 'GET', url, headers })
  /** Follows `next` to the end, returning every item and how many pages it took. */
  const allPages = async (url: string, headers: Headers = member) => {
    const items: StudyPoint[] = []
    let next: string | null = null
    let pages = 0
    do {
      const res = await get(next ? `${url}&cursor=${encodeURIComponent(next)}` : url, headers)
      expect(res.statusCode).toBe(200)
      const body = res.json() as { items: StudyPoint[]; next: string | null }
      items.push(...body.items)
      next = body.next
      pages++
    } while (next)
    return { items, pages }
  }
  const input = (over: Partial<StudyPointInput> = {}): StudyPointInput => ({
    name: '测试微型党校',
    type: 'micro_party_school',
    address: '青禾县柳溪镇测试路 1 号',
    lat: DEMO_CENTRE.lat + 0.01,
    lng: DEMO_CENTRE.lng - 0.01,
    openingHours: '每天 9:00–17:00',
    contactName: '李老师',
    contactPhone: '0731-86200000',
    orgUnitId: liuxi,
    ...over,
  })

  it('lists the points of a grid cell and its neighbours page by page, each once, all inside that block', async () => {
    const cell = areaCellOf(DEMO_CENTRE.lat, DEMO_CENTRE.lng)
    const { items, pages } = await allPages(`/api/v1/study-points?latCell=${cell.latCell}&lngCell=${cell.lngCell}&limit=4`)
    expect(pages).toBeGreaterThan(1)
    expect(new Set(items.map((p) => p.id)).size).toBe(items.length)
    // Exactly the points inside the block, out of every point of the demo district.
    const box = cellBlockE6(cell)
    const inside = (p: StudyPoint) => p.lat * 1e6 >= box.latMin && p.lat * 1e6 < box.latMax && p.lng * 1e6 >= box.lngMin && p.lng * 1e6 < box.lngMax
    const district = ctx.seed.units.find((u) => u.kind === 'district')!.id
    const every = (await allPages(`/api/v1/study-points?orgUnitId=${district}&limit=200`)).items
    expect(items.map((p) => p.id).sort()).toEqual(every.filter(inside).map((p) => p.id).sort())
    expect(items.length).toBeGreaterThan(30)
    const far = areaCellOf(39.9, 116.4)
    expect((await get(`/api/v1/study-points?latCell=${far.latCell}&lngCell=${far.lngCell}`)).json().items).toEqual([])
  })

  it('refuses a position in the query (400 naming it): the phone asks by area, its position stays on the phone', async () => {
    const cell = areaCellOf(DEMO_CENTRE.lat, DEMO_CENTRE.lng)
    const cases: [string, string][] = [
      [`/api/v1/study-points?lat=${DEMO_CENTRE.lat}&lng=${DEMO_CENTRE.lng}&radiusKm=15`, 'querystring.lat'],
      [`/api/v1/study-points?latCell=${cell.latCell}&lngCell=${cell.lngCell}&lng=${DEMO_CENTRE.lng}`, 'querystring.lng'],
      [`/api/v1/study-points?orgUnitId=${liuxi}&lat=${DEMO_CENTRE.lat}`, 'querystring.lat'],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().field, url).toBe(field)
    }
  })

  it('lists a township’s points, including those its village branches run', async () => {
    const { items } = await allPages(`/api/v1/study-points?orgUnitId=${baisha}&limit=6`)
    expect(items).toHaveLength(15)
    expect(items.some((p) => p.orgUnitName === '河湾村党支部')).toBe(true)
    expect(items.every((p) => !p.retired)).toBe(true)
  })

  it('shows meetings open to visitors on the point where they are held, without the check-in code', async () => {
    const { items } = await allPages(`/api/v1/study-points?orgUnitId=${baisha}&limit=50`)
    const hewan = items.find((p) => p.name.startsWith('河湾村'))!
    expect(hewan.meetings).toHaveLength(1)
    expect(hewan.meetings[0]!.topic).toContain('党课')
    expect(hewan.meetings[0]).not.toHaveProperty('checkinCode')
    const one = await get(`/api/v1/study-points/${hewan.id}`)
    expect(one.json().meetings[0].id).toBe(hewan.meetings[0]!.id)
  })

  it('offers the townships of the member’s district with their point counts when location is unavailable', async () => {
    const res = await get('/api/v1/study-points/areas')
    expect(res.statusCode).toBe(200)
    const areas = res.json().items as StudyPointArea[]
    expect(areas.map((a) => a.name).sort()).toEqual(['柳溪镇', '白沙乡'].sort())
    for (const a of areas) expect(a.pointCount).toBe(15)
    expect(areas.find((a) => a.name === '柳溪镇')!.lng!).toBeLessThan(DEMO_CENTRE.lng)
  })

  it('rejects bad coordinates with 400 naming the field, and changes nothing', async () => {
    const cases: [string, string][] = [
      ['/api/v1/study-points?latCell=900&lngCell=1130', 'querystring.latCell'],
      ['/api/v1/study-points?latCell=284&lngCell=-1801', 'querystring.lngCell'],
      ['/api/v1/study-points?latCell=28.4&lngCell=1136', 'querystring.latCell'],
      ['/api/v1/study-points?latCell=284', 'querystring.lngCell'],
      ['/api/v1/study-points', 'querystring.latCell'],
      [`/api/v1/study-points?orgUnitId=${liuxi}&latCell=284&lngCell=1136`, 'querystring.orgUnitId'],
      ['/api/v1/study-points?latCell=284&lngCell=1136&cursor=garbage', 'querystring.cursor'],
    ]
    for (const [url, field] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().field, url).toBe(field)
    }
    const before = (await allPages(`/api/v1/study-points?orgUnitId=${liuxi}&limit=200`)).items.length
    for (const [over, field] of [[{ lat: 200 }, 'body.lat'], [{ lng: '东经113度' as unknown as number }, 'body.lng'], [{ name: '' }, 'body.name'], [{ contactPhone: 'javascript:x' }, 'body.contactPhone']] as const) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/study-points', headers: supervisor, payload: { ...input(), ...over } })
      expect(res.statusCode, field).toBe(400)
      expect(res.json().field).toBe(field)
    }
    expect((await allPages(`/api/v1/study-points?orgUnitId=${liuxi}&limit=200`)).items).toHaveLength(before)
  })

  it('lets a supervisor create, edit and retire points in their subtree, audited', async () => {
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/study-points', headers: supervisor, payload: input() })
    expect(created.statusCode).toBe(201)
    const point = created.json() as StudyPoint
    expect(point).toMatchObject({ name: '测试微型党校', orgUnitName: '柳溪镇', retired: false })

    const near = async () => {
      const cell = areaCellOf(point.lat, point.lng)
      return (await allPages(`/api/v1/study-points?latCell=${cell.latCell}&lngCell=${cell.lngCell}&limit=200`)).items.map((p) => p.id)
    }
    expect(await near()).toContain(point.id)

    const moved = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/study-points/${point.id}`, headers: supervisor, payload: { lat: 28.5, openingHours: '周末 9:00–12:00' } })
    expect(moved.statusCode).toBe(200)
    expect(moved.json()).toMatchObject({ lat: 28.5, openingHours: '周末 9:00–12:00' })

    const retired = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/study-points/${point.id}`, headers: supervisor, payload: { retired: true } })
    expect(retired.json().retired).toBe(true)
    expect(await near()).not.toContain(point.id)
    const withRetired = await allPages(`/api/v1/study-points?orgUnitId=${liuxi}&includeRetired=true&limit=200`, supervisor)
    expect(withRetired.items.find((p) => p.id === point.id)?.retired).toBe(true)

    const audit = await ctx.testDb.db.selectFrom('audit_log').select('action').where('target', '=', point.id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['study_point.create', 'study_point.update', 'study_point.retire'])
  })

  it('refuses writes outside the supervisor’s subtree (403) and from members, changing nothing', async () => {
    const other = (await allPages(`/api/v1/study-points?orgUnitId=${baisha}&limit=200`)).items[0]!
    const outside = await ctx.app.inject({ method: 'POST', url: '/api/v1/study-points', headers: supervisor, payload: input({ orgUnitId: baisha }) })
    expect(outside.statusCode).toBe(403)
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/study-points/${other.id}`, headers: supervisor, payload: { name: '改名' } })
    expect(patch.statusCode).toBe(403)
    const own = (await allPages(`/api/v1/study-points?orgUnitId=${liuxi}&limit=200`)).items[0]!
    const moveOut = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/study-points/${own.id}`, headers: supervisor, payload: { orgUnitId: baisha } })
    expect(moveOut.statusCode).toBe(403)
    const byMember = await ctx.app.inject({ method: 'POST', url: '/api/v1/study-points', headers: member, payload: input() })
    expect(byMember.statusCode).toBe(403)
    expect((await get(`/api/v1/study-points?orgUnitId=${liuxi}&includeRetired=true`)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/study-points?latCell=284&lngCell=1136' })).statusCode).toBe(401)
    expect((await get(`/api/v1/study-points/${other.id}`)).json().name).toBe(other.name)
    expect((await get(`/api/v1/study-points/${own.id}`)).json().orgUnitId).toBe(own.orgUnitId)
    expect((await get('/api/v1/study-points/nope')).statusCode).toBe(404)
  })

  it('lets a group leader hold their meeting at a point, opening it to visitors, and close it again', async () => {
    const leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const groupId = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!.org_unit_id
    const leaderId = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!.id
    const meeting = (id: string, startsAt: number) => ({
      id, org_unit_id: groupId, type: 'party_lecture', starts_at: startsAt, ends_at: startsAt + 7_200_000, place: '村部', topic: `党课 ${id}`,
      lesson_id: null, created_by: leaderId, checkin_code: '135790', device: 'test', created_at: Date.now(), received_at: Date.now(),
    })
    const soon = crypto.randomUUID()
    const ended = crypto.randomUUID()
    await ctx.testDb.db.insertInto('meeting').values([meeting(soon, Date.now() + 86_400_000), meeting(ended, Date.now() - 86_400_000)]).execute()
    // A point run by the leader's own township: an ancestor's point is a public point of their area.
    const point = (await allPages(`/api/v1/study-points?orgUnitId=${liuxi}&limit=200`)).items.find((p) => p.meetings.length === 0 && p.orgUnitId === liuxi)!
    const link = (headers: Headers, meetingId: string, method: 'PUT' | 'DELETE' = 'PUT', pointId = point.id) =>
      ctx.app.inject({ method, url: `/api/v1/study-points/${pointId}/meetings/${meetingId}`, headers })

    expect((await link(member, soon)).statusCode).toBe(403)
    const hewanMeeting = (await allPages(`/api/v1/study-points?orgUnitId=${baisha}&limit=200`)).items.flatMap((p) => p.meetings)[0]!
    expect((await link(leader, hewanMeeting.id)).statusCode).toBe(403)
    expect((await link(leader, crypto.randomUUID())).statusCode).toBe(404)
    expect((await link(leader, ended)).statusCode).toBe(409)
    expect((await get(`/api/v1/study-points/${point.id}`)).json().meetings).toEqual([])

    const linked = await link(leader, soon)
    expect(linked.statusCode).toBe(200)
    expect((linked.json() as StudyPoint).meetings.map((m) => m.topic)).toEqual([`党课 ${soon}`])
    // Any member, e.g. a flowing member passing through, sees it on the point.
    expect((await get(`/api/v1/study-points/${point.id}`)).json().meetings[0].id).toBe(soon)

    expect((await link(leader, soon, 'DELETE')).json().meetings).toEqual([])
    expect((await link(leader, soon, 'DELETE')).statusCode).toBe(404)
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('action').where('target', '=', soon).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['study_point.meeting_link', 'study_point.meeting_unlink'])
  })

  it('lets a leader hold a meeting only at a point of their own subtree or of the units above it', async () => {
    const leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    const leaderRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!
    const meetingId = crypto.randomUUID()
    const startsAt = Date.now() + 86_400_000
    await ctx.testDb.db.insertInto('meeting').values({
      id: meetingId, org_unit_id: leaderRow.org_unit_id, type: 'group_meeting', starts_at: startsAt, ends_at: startsAt + 3_600_000, place: '村部', topic: '小组会',
      lesson_id: null, created_by: leaderRow.id, checkin_code: '246802', device: 'test', created_at: Date.now(), received_at: Date.now(),
    }).execute()
    const link = (pointId: string) => ctx.app.inject({ method: 'PUT', url: `/api/v1/study-points/${pointId}/meetings/${meetingId}`, headers: leader })
    const pointsOf = async (orgUnitId: string) => (await allPages(`/api/v1/study-points?orgUnitId=${orgUnitId}&limit=200`)).items.filter((p) => p.orgUnitId === orgUnitId)
    const unitNamed = (name: string) => ctx.seed.units.find((u) => u.name === name)!.id
    const district = ctx.seed.units.find((u) => u.kind === 'district')!.id

    // Another branch's point in the same township, and a point of another township: refused.
    for (const pointId of [(await pointsOf(unitNamed('石桥村党支部')))[0]!.id, (await pointsOf(baisha))[0]!.id]) {
      const res = await link(pointId)
      expect(res.statusCode).toBe(403)
    }
    const stored = await ctx.testDb.db.selectFrom('meeting').select('study_point_id').where('id', '=', meetingId).executeTakeFirstOrThrow()
    expect(stored.study_point_id).toBeNull()
    // The district's public point and the leader's own branch's point: taken.
    expect((await link((await pointsOf(district))[0]!.id)).statusCode).toBe(200)
    expect((await link((await pointsOf(unitNamed('桃园村党支部')))[0]!.id)).statusCode).toBe(200)
  })
})
