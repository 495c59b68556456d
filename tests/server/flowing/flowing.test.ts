import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { FlowingRecord, FlowingRecordPayload, FlowingRecordReviewPayload } from '../../../src/protocol/flowing.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
const DAY = 24 * 60 * 60 * 1000


describe.each(DIALECTS)('flowing members’ record cards on %s', (dialect) => {
  let ctx: TestContext
  let flowing: Headers
  let member: Headers
  let leader: Headers
  let otherLeader: Headers
  let groupId: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const flowingRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[1].phone)!
    groupId = flowingRow.org_unit_id
    const otherLeaderRole = ctx.seed.roles.find((r) => r.role === 'group_leader' && r.org_unit_id !== groupId)!
    flowing = await signIn(ctx.app, DEMO_LOGINS[1].phone)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    otherLeader = await signIn(ctx.app, ctx.seed.people.find((p) => p.id === otherLeaderRole.person_id)!.phone)
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[]) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results as { id: string; status: string; code?: string; field?: string }[]
  }
  const payload = (over: Partial<FlowingRecordPayload> = {}): FlowingRecordPayload => ({
    recordId: crypto.randomUUID(),
    heldOn: Date.now() - 2 * DAY,
    place: '深圳市龙岗区某工业园',
    organisation: '园区流动党员党支部',
    content: '参加主题党日，学习党章第一章',
    ...over,
  })
  const review = (p: FlowingRecordReviewPayload) => record('flowing_record_review', p)
  const mine = async (headers: Headers) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/flowing-records/me', headers })
    expect(res.statusCode).toBe(200)
    return res.json() as { items: FlowingRecord[]; confirmedCount: number }
  }
  const pending = async (headers: Headers, orgUnitId = groupId) =>
    ctx.app.inject({ method: 'GET', url: `/api/v1/flowing-records?orgUnitId=${orgUnitId}`, headers })

  it('files a flowing member’s record as pending, visible to them and to their group leader', async () => {
    const p = payload()
    const rec = record('flowing_record', p)
    expect((await push(flowing, [rec]))[0]).toMatchObject({ status: 'applied' })
    const own = (await mine(flowing)).items.find((r) => r.id === p.recordId)
    expect(own).toMatchObject({ status: 'pending', place: p.place, organisation: p.organisation, reason: null })
    const res = await pending(leader)
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((r: FlowingRecord) => r.id)).toContain(p.recordId)
  })

  it('answers a replay duplicate and keeps one record', async () => {
    const p = payload()
    const rec = record('flowing_record', p)
    await push(flowing, [rec])
    expect((await push(flowing, [rec]))[0]).toMatchObject({ status: 'duplicate' })
    expect((await mine(flowing)).items.filter((r) => r.id === p.recordId)).toHaveLength(1)
  })

  it('refuses records from members who are not flowing and dates far from now', async () => {
    expect((await push(member, [record('flowing_record', payload())]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    const old = await push(flowing, [record('flowing_record', payload({ heldOn: Date.now() - 200 * DAY }))])
    expect(old[0]).toMatchObject({ status: 'rejected', code: 'INVALID_PAYLOAD', field: 'payload.heldOn' })
  })

  it('lets only a leader over the member’s group review, never the member themselves', async () => {
    const p = payload()
    await push(flowing, [record('flowing_record', p)])
    expect((await push(otherLeader, [review({ recordId: p.recordId, decision: 'confirmed' })]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    expect((await push(flowing, [review({ recordId: p.recordId, decision: 'confirmed' })]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    expect((await push(member, [review({ recordId: p.recordId, decision: 'confirmed' })]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    expect((await pending(otherLeader)).statusCode).toBe(403)
    expect((await mine(flowing)).items.find((r) => r.id === p.recordId)?.status).toBe('pending')
  })

  it('counts a confirmed record and shows a returned one with its reason', async () => {
    const before = (await mine(flowing)).confirmedCount
    const a = payload()
    const b = payload()
    await push(flowing, [record('flowing_record', a), record('flowing_record', b)])
    const confirm = review({ recordId: a.recordId, decision: 'confirmed' })
    const results = await push(leader, [confirm, review({ recordId: b.recordId, decision: 'returned', reason: '请补充会议照片' })])
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect((await push(leader, [confirm]))[0]).toMatchObject({ status: 'duplicate' })

    const card = await mine(flowing)
    expect(card.confirmedCount).toBe(before + 1)
    expect(card.items.find((r) => r.id === a.recordId)).toMatchObject({ status: 'confirmed', reason: null, reviewedByName: expect.any(String) })
    expect(card.items.find((r) => r.id === b.recordId)).toMatchObject({ status: 'returned', reason: '请补充会议照片' })
    const queue = (await pending(leader)).json().items.map((r: FlowingRecord) => r.id)
    expect(queue).not.toContain(a.recordId)
    expect(queue).not.toContain(b.recordId)
  })

  it('refuses a return without a reason and a review of an unknown record', async () => {
    const p = payload()
    await push(flowing, [record('flowing_record', p)])
    expect((await push(leader, [review({ recordId: p.recordId, decision: 'returned' })]))[0]).toMatchObject({ status: 'rejected', field: 'payload.reason' })
    expect((await push(leader, [review({ recordId: crypto.randomUUID(), decision: 'confirmed' })]))[0]).toMatchObject({ status: 'rejected', code: 'INVALID_PAYLOAD' })
  })

  /** SOI, a JFIF APP0 segment, then the scan: a JPEG as far as the server looks at it. */
  const jpeg = (...segments: number[][]) =>
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0, ...segments.flat(), 0xff, 0xda, 0x00, 0x02, 0x11, 0x22, 0xff, 0xd9]).toString('base64')
  /** An APP1 EXIF segment: where a phone camera writes the GPS position. */
  const EXIF = [0xff, 0xe1, 0x00, 0x0c, ...Buffer.from('Exif\0\0'), 0x4d, 0x4d, 0x00, 0x2a]

  it('refuses a record card photo that is not a JPEG or still carries EXIF (the location)', async () => {
    const notJpeg = payload({ photo: Buffer.from('<html><script>alert(1)</script>').toString('base64') })
    const withExif = payload({ photo: jpeg(EXIF) })
    const results = await push(flowing, [record('flowing_record', notJpeg), record('flowing_record', withExif)])
    expect(results.map((r) => [r.status, r.field])).toEqual([
      ['rejected', 'payload.photo'],
      ['rejected', 'payload.photo'],
    ])
    expect((await mine(flowing)).items.map((r) => r.id)).not.toContain(notJpeg.recordId)
  })

  it('serves the photo to the member and their leader only, never to be sniffed as another type', async () => {
    const photo = jpeg()
    const p = payload({ photo })
    await push(flowing, [record('flowing_record', p)])
    const url = `/api/v1/flowing-records/${p.recordId}/photo`
    const own = await ctx.app.inject({ method: 'GET', url, headers: flowing })
    expect(own.statusCode).toBe(200)
    expect(own.headers['x-content-type-options']).toBe('nosniff')
    expect((await ctx.app.inject({ method: 'GET', url, headers: leader })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'GET', url, headers: otherLeader })).statusCode).toBe(403)
    expect((await mine(flowing)).items.find((r) => r.id === p.recordId)?.hasPhoto).toBe(true)
  })
})
