import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '@/db/db.ts'
import { addLike, addPost, addReview, cacheFeed, readFeed } from '@/features/reflections/reflections.db.ts'
import type { Reflection } from '@/protocol/reflections.ts'

const ME = { id: 'member-1', name: '王建国', groupName: '第一党小组' }
const A = '0b9d3a4e-1111-4222-8333-944455556661'
const B = '0b9d3a4e-1111-4222-8333-944455556662'
const server = (id: string, over: Partial<Reflection> = {}): Reflection => ({
  id,
  personId: 'member-2',
  personName: '李秀英',
  orgUnitId: 'group-1',
  groupName: '第一党小组',
  lessonId: null,
  courseId: null,
  lessonTitle: null,
  text: '体会',
  photoCount: 1,
  status: 'normal',
  reason: null,
  likeCount: 0,
  likedByMe: false,
  replyCount: 0,
  replies: [],
  receivedAt: 1_700_000_000_000,
  canReview: false,
  ...over,
})

describe('reflections on the phone', () => {
  beforeEach(async () => {
    await Promise.all([db.outbox.clear(), db.deadLetter.clear(), db.reflections.clear(), db.reflectionPhotos.clear()])
  })

  it('shows a new reflection at once, waiting to send, and keeps it through a refresh until it is sent', async () => {
    await addPost({ reflectionId: A, orgUnitId: 'group-1', text: '学习体会', photos: ['/9j/AA=='] }, ME, '第一讲')
    let feed = await readFeed('group')
    expect(feed.rows.map((r) => [r.id, r.lessonTitle])).toEqual([[A, '第一讲']])
    expect(feed.waiting.has(feed.rows[0]!.recordId!)).toBe(true)
    expect((await db.outbox.toArray()).map((r) => r.kind)).toEqual(['reflection_post'])

    await cacheFeed('group', [server(B)], true)
    expect((await readFeed('group')).rows.map((r) => r.id).sort()).toEqual([A, B])
    expect(await db.reflectionPhotos.get(A)).toBeDefined()

    // Sent: the outbox is empty and the server's page (which now holds it) replaces the local copy.
    await db.outbox.clear()
    await cacheFeed('group', [server(A, { personId: ME.id }), server(B)], true)
    feed = await readFeed('group')
    expect(feed.rows.find((r) => r.id === A)?.recordId).toBeUndefined()
  })

  it('bases a leader’s review on the review shown: the server’s in force, then an unsent one made here', async () => {
    await cacheFeed('group', [server(A, { canReview: true, status: 'excellent', reviewId: 'srv-review' })], true)
    await addReview({ reflectionId: A, status: 'hidden', reason: '离题' })
    const [first] = await db.outbox.toArray()
    await addReview({ reflectionId: A, status: 'normal' })
    expect((await db.outbox.orderBy('seq').toArray()).map((r) => r.payload)).toEqual([
      { reflectionId: A, status: 'hidden', reason: '离题', basedOn: 'srv-review' },
      { reflectionId: A, status: 'normal', basedOn: first!.id },
    ])
  })

  it('drops a reflection (and its photos) that the server no longer sends, e.g. one a leader hid', async () => {
    await cacheFeed('group', [server(A), server(B)], true)
    await db.reflectionPhotos.put({ reflectionId: A, photos: ['/9j/AA=='] })
    await cacheFeed('group', [server(B)], true)
    expect((await readFeed('group')).rows.map((r) => r.id)).toEqual([B])
    expect(await db.reflectionPhotos.get(A)).toBeUndefined()
  })

  it('keeps a refused post for its author to read why, until it is discarded', async () => {
    await addPost({ reflectionId: A, orgUnitId: 'group-1', text: '学习体会', photos: [] }, ME, null)
    const [rec] = await db.outbox.toArray()
    await db.transaction('rw', [db.outbox, db.deadLetter], async () => {
      await db.outbox.clear()
      await db.deadLetter.put({ ...rec!, code: 'INVALID_PAYLOAD', message: 'payload.text', field: 'payload.text', movedAt: Date.now() })
    })
    await cacheFeed('group', [], true)
    const feed = await readFeed('group')
    expect(feed.rows.map((r) => r.id)).toEqual([A])
    expect(feed.refused.get(rec!.id)?.field).toBe('payload.text')
  })

  it('counts a like at once in both feeds, and liking again undoes it', async () => {
    await cacheFeed('group', [server(A, { status: 'excellent' })], true)
    await cacheFeed('excellent', [server(A, { status: 'excellent' })], true)
    await addLike({ reflectionId: A, liked: true })
    for (const feed of ['group', 'excellent'] as const) {
      expect((await readFeed(feed)).rows[0]).toMatchObject({ likedByMe: true, likeCount: 1 })
    }
    await addLike({ reflectionId: A, liked: false })
    expect((await readFeed('group')).rows[0]).toMatchObject({ likedByMe: false, likeCount: 0 })
    expect(await db.outbox.count()).toBe(2)
  })
})
