/**
 * Study reflections 晒心得: the group feed and the branch's excellent list (read live from Dexie,
 * refreshed from the server page by page), and the writes a member or leader makes (each an outbox
 * record, so all of it works offline).
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { ReflectionRow } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { ReflectionStatus } from '@/protocol/reflections.ts'
import { uuidv7 } from '@/features/sync/uuidv7.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { reflectionsApi } from './reflections.api.ts'
import { addLike, addPost, addReply, addReview, cacheFeed, photosDb, readFeed, type Feed } from './reflections.db.ts'

/** What the phone knows of a reflection's own post: still here, sent, or refused (with why). */
export type Delivery = { state: 'waiting' } | { state: 'refused'; code: string; field?: string } | { state: 'sent' }

export interface FeedItem {
  row: ReflectionRow
  delivery: Delivery
  /** Likes, replies or reviews of this person still waiting to be sent. */
  waiting: boolean
}

export interface ReflectionForm {
  text: string
  photos: string[]
  lessonId?: string
  courseId?: string
  lessonTitle?: string
}

function liveFeed(feed: Feed) {
  return liveRef(async (): Promise<FeedItem[]> => {
    const { rows, waiting, refused } = await readFeed(feed)
    return rows.map((row) => {
      const dead = row.recordId ? refused.get(row.recordId) : undefined
      const delivery: Delivery = !row.recordId
        ? { state: 'sent' }
        : waiting.has(row.recordId)
          ? { state: 'waiting' }
          : dead
            ? { state: 'refused', code: dead.code, field: dead.field }
            : { state: 'sent' }
      return { row, delivery, waiting: !!row.waiting?.some((id) => waiting.has(id)) }
    })
  }, [] as FeedItem[])
}

export const useReflectionsStore = defineStore('reflections', () => {
  const auth = useAuthStore()
  const feeds = { group: liveFeed('group'), excellent: liveFeed('excellent') }
  const next = reactive<Record<Feed, string | null>>({ group: null, excellent: null })
  const loading = ref(false)
  /** The last refresh could not reach the server: the screen says it shows what is cached. */
  const offline = ref(false)
  const me = computed(() => auth.profile)

  /** Reads the first page of a feed; offline the cached one stays. Hidden reflections leave the phone here. */
  async function refresh(feed: Feed): Promise<void> {
    loading.value = true
    try {
      const page = await reflectionsApi.feed(feed)
      await cacheFeed(feed, page.items, true)
      next[feed] = page.next
      offline.value = false
    } catch {
      offline.value = true
    } finally {
      loading.value = false
    }
  }

  /** The next page (online only: older pages are not kept beyond what was read). */
  async function loadMore(feed: Feed): Promise<void> {
    const cursor = next[feed]
    if (!cursor || loading.value) return
    loading.value = true
    try {
      const page = await reflectionsApi.feed(feed, cursor)
      await cacheFeed(feed, page.items, false)
      next[feed] = page.next
    } catch {
      offline.value = true
    } finally {
      loading.value = false
    }
  }

  /** Posts a reflection to the member's group; it shows at once as waiting to send. */
  async function post(form: ReflectionForm): Promise<void> {
    const profile = me.value
    if (!profile) throw new Error('not signed in')
    await addPost(
      {
        // UUIDv7: posts sent in one batch share the server's received time, and the feed breaks
        // that tie by id, so ids must sort in the order they were written.
        reflectionId: uuidv7(),
        orgUnitId: profile.orgUnitId,
        text: form.text.trim(),
        photos: [...form.photos],
        ...(form.lessonId ? { lessonId: form.lessonId } : {}),
        ...(form.courseId ? { courseId: form.courseId } : {}),
      },
      { id: profile.id, name: profile.name, groupName: profile.orgUnitName },
      form.lessonTitle ?? null,
    )
  }

  const like = (row: ReflectionRow) => addLike({ reflectionId: row.id, liked: !row.likedByMe })

  async function reply(row: ReflectionRow, text: string): Promise<void> {
    const profile = me.value
    if (!profile) throw new Error('not signed in')
    await addReply({ replyId: uuidv7(), reflectionId: row.id, text: text.trim() }, { id: profile.id, name: profile.name })
  }

  /** A leader marks a reflection excellent, hides it with a reason, or sets it back to normal. */
  const review = (row: ReflectionRow, status: ReflectionStatus, reason?: string) =>
    addReview({ reflectionId: row.id, status, ...(status === 'hidden' ? { reason: (reason ?? '').trim() } : {}) })

  /** A reflection's photos: from the phone, else from the server (then kept for offline reading). */
  async function photos(row: ReflectionRow): Promise<string[]> {
    const cached = await photosDb.get(row.id)
    if (cached || row.photoCount === 0) return cached ?? []
    try {
      const { photos: fetched } = await reflectionsApi.photos(row.id)
      await photosDb.put(row.id, fetched)
      return fetched
    } catch {
      return []
    }
  }

  return { feeds, next, loading, offline, refresh, loadMore, post, like, reply, review, photos }
})
