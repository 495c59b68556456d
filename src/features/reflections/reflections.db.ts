/**
 * Study reflections 晒心得 on the phone. Every write (post, reply, like, leader's review) is one
 * Dexie transaction with its outbox record, so it shows at once and survives days offline; the
 * feeds are the server's pages kept here for offline reading.
 */
import Dexie from 'dexie'
import { db, type DeadLetterRecord, type ReflectionRow } from '@/db/db.ts'
import type { Reflection, ReflectionLikePayload, ReflectionPostPayload, ReflectionReplyPayload, ReflectionReviewPayload } from '@/protocol/reflections.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'

export type Feed = ReflectionRow['feed']
export const REFLECTION_KINDS = ['reflection_post', 'reflection_reply', 'reflection_like', 'reflection_review']

const sortKey = (receivedAt: number, id: string) => `${String(receivedAt).padStart(15, '0')}_${id}`

/** Reflection writes still in the outbox, and those the server refused (by outbox id). */
async function unsettled(): Promise<{ waiting: Set<string>; refused: Map<string, DeadLetterRecord> }> {
  const waiting = new Set((await db.outbox.where('kind').anyOf(REFLECTION_KINDS).toArray()).map((r) => r.id))
  const refused = new Map((await db.deadLetter.toArray()).filter((r) => REFLECTION_KINDS.includes(r.kind)).map((r) => [r.id, r]))
  return { waiting, refused }
}

/** A feed newest first, with what is still waiting on this phone or was refused by the server. */
export async function readFeed(feed: Feed): Promise<{ rows: ReflectionRow[]; waiting: Set<string>; refused: Map<string, DeadLetterRecord> }> {
  return db.transaction('r', [db.reflections, db.outbox, db.deadLetter], async () => {
    const rows = await db.reflections.where('[feed+sortKey]').between([feed, Dexie.minKey], [feed, Dexie.maxKey]).reverse().toArray()
    return { rows, ...(await unsettled()) }
  })
}

/** Changes every cached copy of one reflection (it may be in both feeds) and notes the waiting write. */
async function touch(id: string, recordId: string, change: (row: ReflectionRow) => Partial<ReflectionRow>): Promise<void> {
  const rows = await db.reflections.where('id').equals(id).toArray()
  for (const row of rows) await db.reflections.put({ ...row, ...change(row), waiting: [...(row.waiting ?? []), recordId] })
}

/** Posts a reflection to the author's group; offline it shows as waiting to send. */
export async function addPost(payload: ReflectionPostPayload, me: { id: string; name: string; groupName: string }, lessonTitle: string | null): Promise<void> {
  await db.transaction('rw', [db.reflections, db.reflectionPhotos, db.outbox], async () => {
    const recordId = await enqueue(db, 'reflection_post', payload)
    const now = Date.now()
    await db.reflections.put({
      feed: 'group',
      sortKey: sortKey(now, payload.reflectionId),
      id: payload.reflectionId,
      personId: me.id,
      personName: me.name,
      orgUnitId: payload.orgUnitId,
      groupName: me.groupName,
      lessonId: payload.lessonId ?? null,
      courseId: payload.courseId ?? null,
      lessonTitle,
      text: payload.text,
      photoCount: payload.photos.length,
      status: 'normal',
      reason: null,
      likeCount: 0,
      likedByMe: false,
      replyCount: 0,
      replies: [],
      receivedAt: now,
      canReview: false,
      recordId,
    })
    if (payload.photos.length) await db.reflectionPhotos.put({ reflectionId: payload.reflectionId, photos: payload.photos })
  })
}

export async function addLike(payload: ReflectionLikePayload): Promise<void> {
  await db.transaction('rw', [db.reflections, db.outbox], async () => {
    const recordId = await enqueue(db, 'reflection_like', payload)
    await touch(payload.reflectionId, recordId, (r) =>
      r.likedByMe === payload.liked ? {} : { likedByMe: payload.liked, likeCount: Math.max(0, r.likeCount + (payload.liked ? 1 : -1)) },
    )
  })
}

export async function addReply(payload: ReflectionReplyPayload, me: { id: string; name: string }): Promise<void> {
  await db.transaction('rw', [db.reflections, db.outbox], async () => {
    const recordId = await enqueue(db, 'reflection_reply', payload)
    const reply = { id: payload.replyId, personId: me.id, personName: me.name, text: payload.text, receivedAt: Date.now() }
    await touch(payload.reflectionId, recordId, (r) => ({ replies: [...r.replies, reply], replyCount: r.replyCount + 1 }))
  })
}

/**
 * A leader's review, based on the review this phone shows in force (the server's, or one made here
 * and not yet sent): offline, the server keeps it in history only if someone else reviewed the
 * reflection meanwhile (docs/sync-protocol.md, "Conflict rules").
 */
export async function addReview(payload: Omit<ReflectionReviewPayload, 'basedOn'>): Promise<void> {
  await db.transaction('rw', [db.reflections, db.outbox], async () => {
    // A row cached by an older app version has no reviewId: say nothing (the old-phone rule).
    const shown = (await db.reflections.where('id').equals(payload.reflectionId).first())?.reviewId
    const recordId = await enqueue(db, 'reflection_review', shown === undefined ? payload : { ...payload, basedOn: shown })
    await touch(payload.reflectionId, recordId, () => ({ status: payload.status, reason: payload.reason ?? null, reviewId: recordId }))
  })
}

/**
 * Stores a page from the server. The first page (`replace`) replaces the whole feed, so a
 * reflection hidden since the last visit leaves this phone; rows with writes still waiting here
 * (or refused, for the author to read why) are kept until those writes are settled.
 */
export async function cacheFeed(feed: Feed, items: Reflection[], replace: boolean): Promise<void> {
  await db.transaction('rw', [db.reflections, db.reflectionPhotos, db.outbox, db.deadLetter], async () => {
    const { waiting, refused } = await unsettled()
    // The author's own refused post stays to show why; others' rows wait only for writes still in the outbox.
    const ownOpen = (r: ReflectionRow) => !!r.recordId && (waiting.has(r.recordId) || refused.has(r.recordId))
    const rows = await db.reflections.where('[feed+sortKey]').between([feed, Dexie.minKey], [feed, Dexie.maxKey]).toArray()
    const keep = new Set(rows.filter((r) => ownOpen(r) || r.waiting?.some((id) => waiting.has(id))).map((r) => r.id))
    if (replace) await db.reflections.bulkDelete(rows.filter((r) => !keep.has(r.id)).map((r): [Feed, string] => [feed, r.id]))
    await db.reflections.bulkPut(items.filter((r) => !keep.has(r.id)).map((r) => ({ ...r, feed, sortKey: sortKey(r.receivedAt, r.id) })))
    // Photos of reflections no longer in any feed go too (hidden ones included).
    const shown = new Set(await db.reflections.orderBy('id').uniqueKeys())
    await db.reflectionPhotos.bulkDelete((await db.reflectionPhotos.toCollection().primaryKeys()).filter((id) => !shown.has(id)))
  })
}

export const photosDb = {
  get: async (reflectionId: string): Promise<string[] | undefined> => (await db.reflectionPhotos.get(reflectionId))?.photos,
  put: (reflectionId: string, photos: string[]) => db.reflectionPhotos.put({ reflectionId, photos }),
}
