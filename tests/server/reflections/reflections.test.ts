import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { FeedPage, GroupStats, ReflectionPostPayload } from '../../../src/protocol/reflections.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { pushRecord as record } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
type Result = { id: string; status: string; code?: string; field?: string; message?: string }

/** A tiny JPEG as far as the server looks at it: SOI, a JFIF APP0, then the image data. */
const JFIF = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
const SCAN = [0xff, 0xda, 0x00, 0x02, 0x11, 0x22, 0xff, 0xd9]
const jpeg = (...segments: number[][]) => Buffer.from([0xff, 0xd8, ...segments.flat(), ...SCAN]).toString('base64')
/** An APP1 EXIF segment (where phones put GPS coordinates). */
const EXIF = [0xff, 0xe1, 0x00, 0x0c, ...Buffer.from('Exif\0\0'), 0x4d, 0x4d, 0x00, 0x2a]
const PHOTO = jpeg(JFIF)


describe.each(DIALECTS)('study reflections on %s', (dialect) => {
  let ctx: TestContext
  let member: Headers // group 1 (with the demo leader and secretary)
  let flowing: Headers // group 1
  let leader: Headers // leader of group 1
  let secretary: Headers // secretary of the branch
  let supervisor: Headers // township supervisor
  let neighbour: Headers // member of group 2 in the same branch
  let stranger: Headers // member of a group in another township
  let groupId: string
  let branchId: string
  let otherTownshipId: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    const memberRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!
    groupId = memberRow.org_unit_id
    const group = ctx.seed.units.find((u) => u.id === groupId)!
    branchId = group.parent_id!
    const sibling = ctx.seed.units.find((u) => u.kind === 'group' && u.parent_id === branchId && u.id !== groupId)!
    const townships = ctx.seed.units.filter((u) => u.kind === 'township')
    const far = townships.find((t) => !group.path.startsWith(t.path))!
    otherTownshipId = far.id
    const farGroup = ctx.seed.units.find((u) => u.kind === 'group' && u.path.startsWith(far.path))!
    const phoneIn = (unitId: string) => ctx.seed.people.find((p) => p.org_unit_id === unitId && !ctx.seed.roles.some((r) => r.person_id === p.id && r.role !== 'member'))!.phone
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    flowing = await signIn(ctx.app, DEMO_LOGINS[1].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    supervisor = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    neighbour = await signIn(ctx.app, phoneIn(sibling.id))
    stranger = await signIn(ctx.app, phoneIn(farGroup.id))
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[]): Promise<Result[]> => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results
  }
  const post = (over: Partial<ReflectionPostPayload> = {}): ReflectionPostPayload => ({
    reflectionId: crypto.randomUUID(),
    orgUnitId: groupId,
    text: '学了这一讲，体会到为民服务要落到实处。',
    photos: [],
    ...over,
  })
  const feed = async (headers: Headers, query = '') => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections${query}`, headers })
    expect(res.statusCode).toBe(200)
    return res.json() as FeedPage
  }
  const posted = async (headers = member, over: Partial<ReflectionPostPayload> = {}) => {
    const p = post(over)
    expect((await push(headers, [record('reflection_post', p)]))[0]).toMatchObject({ status: 'applied' })
    return p.reflectionId
  }
  const review = (reflectionId: string, status: string, reason?: string) => record('reflection_review', { reflectionId, status, ...(reason ? { reason } : {}) })

  it('shows a member’s reflection with its photo to the rest of the group, once however often it is sent', async () => {
    const p = post({ photos: [PHOTO] })
    const rec = record('reflection_post', p)
    expect((await push(member, [rec]))[0]).toMatchObject({ status: 'applied' })
    expect((await push(member, [rec]))[0]).toMatchObject({ status: 'duplicate' })
    // The same reflection id in a new record (the phone re-made it) adds nothing either.
    expect((await push(member, [record('reflection_post', p)]))[0]).toMatchObject({ status: 'applied' })
    const items = (await feed(flowing)).items.filter((r) => r.id === p.reflectionId)
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ text: p.text, photoCount: 1, status: 'normal', likeCount: 0, canReview: false })
    const photos = await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/${p.reflectionId}/photos`, headers: flowing })
    expect(photos.json()).toEqual({ photos: [PHOTO] })
    // The leader of the group may read the feed of their group; a member of another group may not.
    expect((await feed(leader, `?orgUnitId=${groupId}`)).items.map((r) => r.id)).toContain(p.reflectionId)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections?orgUnitId=${groupId}`, headers: neighbour })).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/${p.reflectionId}/photos`, headers: stranger })).statusCode).toBe(403)
  })

  it('refuses reflections, replies and likes from people outside the group', async () => {
    const id = await posted()
    const results = await push(neighbour, [
      record('reflection_post', post()),
      record('reflection_reply', { replyId: crypto.randomUUID(), reflectionId: id, text: '说得好' }),
      record('reflection_like', { reflectionId: id, liked: true }),
    ])
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ['rejected', 'FORBIDDEN'],
      ['rejected', 'FORBIDDEN'],
      ['rejected', 'FORBIDDEN'],
    ])
    expect((await feed(member)).items.find((r) => r.id === id)).toMatchObject({ likeCount: 0, replyCount: 0 })
  })

  it('refuses oversize photos, files that are not JPEGs, photos still carrying EXIF and text over the limit', async () => {
    const results = await push(member, [
      record('reflection_post', post({ photos: ['A'.repeat(80_004)] })),
      record('reflection_post', post({ photos: [Buffer.from('GIF89a not a photo').toString('base64')] })),
      record('reflection_post', post({ photos: [PHOTO, jpeg(EXIF, JFIF)] })),
      record('reflection_post', post({ text: '好'.repeat(1001) })),
      record('reflection_post', post({ text: '   ' })),
      record('reflection_post', post({ photos: [PHOTO, PHOTO, PHOTO, PHOTO] })),
    ])
    expect(results.map((r) => [r.status, r.field])).toEqual([
      ['rejected', 'payload.photos.0'],
      ['rejected', 'payload.photos.0'],
      ['rejected', 'payload.photos.1'],
      ['rejected', 'payload.text'],
      ['rejected', 'payload.text'],
      ['rejected', 'payload.photos'],
    ])
    expect(results[2]!.message).toMatch(/EXIF/)
    // 1000 characters that take two UTF-16 units each are still 1000 characters.
    expect((await push(member, [record('reflection_post', post({ text: '👍'.repeat(1000) }))]))[0]).toMatchObject({ status: 'applied' })
  })

  it('counts one like per person however often it is sent, takes an unlike, and shows replies', async () => {
    const id = await posted()
    const like = record('reflection_like', { reflectionId: id, liked: true })
    await push(flowing, [like, record('reflection_like', { reflectionId: id, liked: true })])
    expect((await push(flowing, [like]))[0]).toMatchObject({ status: 'duplicate' })
    await push(leader, [record('reflection_like', { reflectionId: id, liked: true })])
    const reply = { replyId: crypto.randomUUID(), reflectionId: id, text: '我也有同感' }
    await push(flowing, [record('reflection_reply', reply), record('reflection_reply', reply)])
    let item = (await feed(member)).items.find((r) => r.id === id)!
    expect(item).toMatchObject({ likeCount: 2, likedByMe: false, replyCount: 1 })
    expect(item.replies).toEqual([expect.objectContaining({ id: reply.replyId, text: '我也有同感' })])
    expect((await feed(flowing)).items.find((r) => r.id === id)).toMatchObject({ likedByMe: true })
    await push(flowing, [record('reflection_like', { reflectionId: id, liked: false })])
    item = (await feed(member)).items.find((r) => r.id === id)!
    expect(item.likeCount).toBe(1)
    const long = await push(flowing, [record('reflection_reply', { ...reply, replyId: crypto.randomUUID(), text: '长'.repeat(301) })])
    expect(long[0]).toMatchObject({ status: 'rejected', field: 'payload.text' })
  })

  it('hides a reflection from everyone but its author (who reads the reason) and the leaders', async () => {
    const id = await posted()
    expect((await push(leader, [review(id, 'hidden')]))[0]).toMatchObject({ status: 'rejected', field: 'payload.reason' })
    expect((await push(member, [review(id, 'excellent')]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    expect((await push(flowing, [review(id, 'hidden', '离题')]))[0]).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' })
    expect((await push(leader, [review(id, 'hidden', '含有个人隐私信息，请修改后重发')]))[0]).toMatchObject({ status: 'applied' })
    expect((await feed(flowing)).items.map((r) => r.id)).not.toContain(id)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/${id}/photos`, headers: flowing })).statusCode).toBe(403)
    expect((await feed(member)).items.find((r) => r.id === id)).toMatchObject({ status: 'hidden', reason: '含有个人隐私信息，请修改后重发' })
    expect((await feed(leader)).items.find((r) => r.id === id)).toMatchObject({ status: 'hidden', canReview: true })
    const refused = await push(flowing, [
      record('reflection_like', { reflectionId: id, liked: true }),
      record('reflection_like', { reflectionId: crypto.randomUUID(), liked: true }),
    ])
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    const audit = await ctx.testDb.db.selectFrom('audit_log').select(['action', 'detail']).where('target', '=', id).execute()
    expect(audit).toEqual([{ action: 'reflection.review', detail: JSON.stringify({ status: 'hidden', reason: '含有个人隐私信息，请修改后重发' }) }])
  })

  it('shows an excellent reflection to the whole branch and to supervisors, not to other branches', async () => {
    const id = await posted()
    expect((await push(secretary, [review(id, 'excellent')]))[0]).toMatchObject({ status: 'applied' })
    const branchFeed = await feed(neighbour, '?scope=excellent')
    expect(branchFeed.items.find((r) => r.id === id)).toMatchObject({ status: 'excellent', reason: null, canReview: false })
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/${id}/photos`, headers: neighbour })).statusCode).toBe(200)
    expect((await feed(supervisor, `?scope=excellent&orgUnitId=${branchId}`)).items.map((r) => r.id)).toContain(id)
    expect((await feed(stranger, '?scope=excellent')).items.map((r) => r.id)).not.toContain(id)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/reflections?scope=excellent&orgUnitId=${groupId}`, headers: stranger })).statusCode).toBe(403)
    // Back to normal: it leaves the branch list.
    await push(secretary, [review(id, 'normal')])
    expect((await feed(neighbour, '?scope=excellent')).items.map((r) => r.id)).not.toContain(id)
  })

  it('keeps a leader’s review made without seeing a newer one in the audit history, not applied', async () => {
    const id = await posted()
    expect((await feed(leader)).items.find((r) => r.id === id)!.reviewId).toBeNull()
    const excellent = record('reflection_review', { reflectionId: id, status: 'excellent', basedOn: null })
    await push(secretary, [excellent])
    // The leader's phone had read the reflection before: its offline hide arrives after.
    expect((await push(leader, [record('reflection_review', { reflectionId: id, status: 'hidden', reason: '离题', basedOn: null })]))[0]).toMatchObject({ status: 'applied' })
    const after = (await feed(leader)).items.find((r) => r.id === id)!
    expect(after).toMatchObject({ status: 'excellent', reviewId: excellent.id })
    const audit = await ctx.testDb.db.selectFrom('audit_log').select('detail').where('target', '=', id).orderBy('id').execute()
    expect(audit.map((a) => JSON.parse(a.detail!))).toEqual([{ status: 'excellent', reason: null }, { status: 'hidden', reason: '离题', overruledBy: excellent.id }])
    // Having seen it, the leader may still change it.
    await push(leader, [record('reflection_review', { reflectionId: id, status: 'normal', basedOn: after.reviewId })])
    expect((await feed(leader)).items.find((r) => r.id === id)).toMatchObject({ status: 'normal' })
  })

  it('pages the feed newest first with a cursor', async () => {
    const ids = [await posted(flowing), await posted(flowing), await posted(flowing)]
    const first = await feed(member, '?limit=2')
    expect(first.items).toHaveLength(2)
    expect(first.items.every((r) => ids.includes(r.id))).toBe(true)
    expect(first.next).not.toBeNull()
    const seen = [...first.items]
    let next = first.next
    while (next) {
      const page = await feed(member, `?limit=2&cursor=${encodeURIComponent(next)}`)
      seen.push(...page.items)
      next = page.next
    }
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length)
    const order = seen.map((r) => r.receivedAt)
    expect(order).toEqual([...order].sort((a, b) => b - a))
    for (const id of ids) expect(seen.map((r) => r.id)).toContain(id)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/reflections?cursor=drop%20table', headers: member })).statusCode).toBe(400)
  })

  it('counts reflections per group for a month, only inside the reader’s subtree', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7)
    const stats = async (headers: Headers, orgUnitId: string, m = month) =>
      ctx.app.inject({ method: 'GET', url: `/api/v1/reflections/stats?orgUnitId=${orgUnitId}&month=${m}`, headers })
    const res = await stats(secretary, branchId)
    expect(res.statusCode).toBe(200)
    const mine = (res.json().items as GroupStats[]).find((g) => g.orgUnitId === groupId)!
    expect(mine.posts).toBeGreaterThanOrEqual(5)
    expect(mine.authors).toBe(2)
    expect(mine.hidden).toBe(1)
    expect((res.json().items as GroupStats[]).every((g) => g.orgUnitId === groupId || g.posts === 0)).toBe(true)
    expect((await stats(secretary, branchId, '2020-01')).json().items.every((g: GroupStats) => g.posts === 0)).toBe(true)
    expect((await stats(supervisor, branchId)).statusCode).toBe(200)
    expect((await stats(leader, groupId)).statusCode).toBe(403)
    expect((await stats(secretary, otherTownshipId)).statusCode).toBe(403)
    expect((await stats(secretary, branchId, '2026-13')).statusCode).toBe(400)
  })
})
