/**
 * Reflections posted one after another and sent in one batch get the same received time on the
 * server, which then lists them by id: their ids must sort in the order they were written, or the
 * group feed shows them shuffled.
 */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { useReflectionsStore } from '@/features/reflections/reflections.store.ts'
import type { ReflectionPostPayload } from '@/protocol/reflections.ts'

describe('reflections written in a row', () => {
  beforeEach(async () => {
    await Promise.all([db.outbox.clear(), db.reflections.clear()])
    const login = {
      token: 'tok',
      sessionId: 's',
      expiresAt: Date.now() + 1e9,
      profile: { id: 'member-1', name: '王建国', phone: '13800000001', orgUnitId: 'g1', orgUnitName: '第一党小组', isFlowing: false, isElderly: false, roles: [] },
    }
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(login), { status: 200 })))
    setActivePinia(createPinia())
    await useAuthStore().login('13800000001', 'demo1234')
  })
  afterEach(() => vi.unstubAllGlobals())

  it('carry ids that sort in the order they were written, replies too', async () => {
    const store = useReflectionsStore()
    for (let i = 0; i < 12; i++) await store.post({ text: `体会 ${i}`, photos: [] })
    const posts = (await db.outbox.orderBy('seq').toArray()).filter((r) => r.kind === 'reflection_post')
    const ids = posts.map((r) => (r.payload as ReflectionPostPayload).reflectionId)
    expect(ids).toHaveLength(12)
    expect([...ids].sort()).toEqual(ids)

    const row = (await db.reflections.toArray())[0]!
    for (let i = 0; i < 6; i++) await store.reply(row, `回复 ${i}`)
    const replies = (await db.outbox.orderBy('seq').toArray()).filter((r) => r.kind === 'reflection_reply').map((r) => (r.payload as { replyId: string }).replyId)
    expect([...replies].sort()).toEqual(replies)
  })
})
