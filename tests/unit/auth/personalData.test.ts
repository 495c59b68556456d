import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db, PERSONAL_TABLES } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { drain } from '@/features/sync/pushCore.ts'
import type { LoginResponse } from '@/protocol/auth.ts'
import { FakePushServer } from '../sync/support/fakeServer.ts'

function loginAs(personId: string, token: string): LoginResponse {
  return {
    token,
    sessionId: `s-${token}`,
    expiresAt: Date.now() + 1e9,
    profile: { id: personId, name: personId, phone: '13800000001', orgUnitId: 'g1', orgUnitName: '第一党小组', isFlowing: false, isElderly: false, roles: [] },
  }
}

async function signIn(personId: string, token: string) {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(loginAs(personId, token)), { status: 200 })))
  setActivePinia(createPinia()) // the login page of a fresh page load
  return useAuthStore().login('13800000001', 'demo1234')
}

/** What a member leaves on the phone after a day of use. */
async function useThePhone(personId: string) {
  await db.wrongAnswers.put({ questionId: 'q1', addedAt: 1, wrongDay: '2026-11-27', rightDays: [] })
  await db.practiceDays.put({ day: '2026-11-27', questionIds: ['q1'], answers: { q1: ['A'] }, doneAt: 1 })
  await db.progress.put({ lessonId: 'l1', courseId: 'c1', seconds: 60, completedAt: null, lastOpenedAt: 1 })
  await db.bookmarks.put({ key: 'lesson:l1', kind: 'lesson', id: 'l1', title: '党章', createdAt: 1 })
  await db.meta.put({ key: 'attendance.mine', value: { personId } })
  const record = { kind: 'study_event', payload: { lessonId: 'l1', courseId: 'c1', kind: 'studied', seconds: 60 }, createdAt: 1, deviceId: 'd1', attempts: 0 }
  await db.outbox.add({ ...record, id: '0192f0a0-0000-7000-8000-000000000001', personId })
  // Made before the phone knew who was signed in: no owner.
  await db.outbox.add({ ...record, id: '0192f0a0-0000-7000-8000-000000000002' })
}

describe('a shared phone', () => {
  beforeEach(async () => {
    await Promise.all([db.meta.clear(), db.outbox.clear(), db.questions.clear(), ...PERSONAL_TABLES.map((t) => db[t].clear())])
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows the next person none of the previous person’s data, and keeps the previous person’s unsent records for them', async () => {
    await signIn('p1', 'tok-1')
    await useThePhone('p1')
    await db.questions.put({ id: 'q1', bankId: 'b', type: 'single', stem: '?', options: ['a', 'b'], answer: ['A'], explanation: '', source: { kind: 'lesson', id: 'l1' }, tags: [] })
    expect(await useAuthStore().unsentRecords()).toBe(2)

    await useAuthStore().logout()
    expect(await signIn('p2', 'tok-2')).toEqual({ switchedPerson: true })
    for (const table of PERSONAL_TABLES) expect(await db[table].count(), table).toBe(0)
    expect(await db.meta.get('attendance.mine')).toBeUndefined()
    // Content is not personal: it stays.
    expect(await db.questions.count()).toBe(1)
    expect(await useAuthStore().unsentRecords()).toBe(0)
    const outbox = await db.outbox.toArray()
    expect(outbox.map((r) => r.personId)).toEqual(['p1', 'p1'])

    // Under the new person's session nothing of the previous person's is sent…
    const server = new FakePushServer()
    server.tokens.set('tok-2', 'p2').set('tok-1', 'p1')
    expect(await drain({ db, fetch: server.fetch })).toMatchObject({ type: 'done', applied: 0 })
    expect(server.requests).toBe(0)
    // …and when they sign in again, both go out under their own name.
    expect(await signIn('p1', 'tok-1')).toEqual({ switchedPerson: true })
    expect(await drain({ db, fetch: server.fetch })).toMatchObject({ type: 'done', applied: 2 })
    expect([...server.stored.values()].map((r) => r.personId)).toEqual(['p1', 'p1'])
  })

  it('keeps everything when the same person signs in again, and on a phone that never recorded whose data it holds', async () => {
    await signIn('p1', 'tok-1')
    await useThePhone('p1')
    await useAuthStore().logout()
    expect(await signIn('p1', 'tok-1b')).toEqual({ switchedPerson: false })
    expect(await db.wrongAnswers.count()).toBe(1)

    // An updated phone, still signed in, whose data predates the rule: the signed-in person keeps it.
    await db.meta.delete('personalOwner')
    setActivePinia(createPinia())
    await useAuthStore().restore()
    // What the app does once the first screen is painted (main.ts).
    await useAuthStore().personalDataClaimed()
    expect(await db.practiceDays.count()).toBe(1)
    expect(await signIn('p1', 'tok-1c')).toEqual({ switchedPerson: false })
    expect(await db.practiceDays.count()).toBe(1)
  })
})
