import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db, PERSONAL_TABLES } from '@/db/db.ts'
import { useArchiveStore } from '@/features/archive/archive.store.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { LoginResponse } from '@/protocol/auth.ts'
import type { ArchiveSummary } from '@/protocol/archive.ts'

const YEAR = 2026
const READ_AT = new Date('2026-11-20T09:30:00+08:00').getTime()

function loginAs(personId: string): LoginResponse {
  return {
    token: `tok-${personId}`,
    sessionId: `s-${personId}`,
    expiresAt: Date.now() + 1e9,
    profile: { id: personId, name: personId, phone: '13800000001', orgUnitId: 'g1', orgUnitName: '第一党小组', isFlowing: false, isElderly: false, roles: [] },
  }
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 })

function summaryOf(personId: string, meetings: number): ArchiveSummary {
  return {
    person: { id: personId, name: `${personId} 的名字`, orgUnitName: '第一党小组' },
    year: YEAR,
    totals: { studySeconds: 1800, lessonsStudied: 1, coursesCompleted: 0, meetingsAttended: meetings, quizAttempts: 0, quizzesPassed: 0, homeVisits: 0 },
    coursesCompleted: [],
    retraining: [],
  }
}

/** The archive API as the server answers it: `meetings` attended by everyone this year. */
function onlineArchive(meetings: number) {
  return vi.fn(async (url: string) => {
    const [, personId, section] = /\/api\/v1\/archive\/([^/?]+)(?:\/(\w+))?/.exec(url)!
    if (!section) return json(summaryOf(personId!, meetings))
    const items = section === 'meetings' ? [{ id: 'm1', type: 'theme_day', topic: '学习党章', place: '村部', at: READ_AT, status: 'present', guest: false }] : []
    return json({ items, next: null })
  })
}

const offline = () => vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))

async function signIn(personId: string) {
  vi.stubGlobal('fetch', vi.fn(async () => json(loginAs(personId))))
  setActivePinia(createPinia())
  await useAuthStore().login('13800000001', 'demo1234')
}

/** A reload of the app: fresh stores, the session restored from the phone (no network needed). */
async function reload() {
  setActivePinia(createPinia())
  await useAuthStore().restore()
  return useArchiveStore()
}

describe('the member’s own archive offline', () => {
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(READ_AT)
    await Promise.all([db.meta.clear(), db.outbox.clear(), ...PERSONAL_TABLES.map((t) => db[t].clear())])
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('shows the copy read online, with the time it was read, when the phone is offline', async () => {
    await signIn('p1')
    vi.stubGlobal('fetch', onlineArchive(1))
    const online = useArchiveStore()
    await online.open('p1', YEAR)
    expect(online.summary?.totals.meetingsAttended).toBe(1)
    expect(online.cachedAt).toBeUndefined()

    vi.setSystemTime(READ_AT + 3 * 86_400_000)
    vi.stubGlobal('fetch', offline())
    const store = await reload()
    await store.open('p1', YEAR)
    expect(store.error).toBeUndefined()
    expect(store.summary?.person.name).toBe('p1 的名字')
    expect(store.sections.meetings.items.map((m) => m.topic)).toEqual(['学习党章'])
    expect(store.cachedAt).toBe(READ_AT)

    // Another year was never opened online: nothing to show but the error.
    await store.open('p1', YEAR - 1)
    expect(store.summary).toBeUndefined()
    expect(store.error).toBe('errors.NETWORK')
  })

  it('shows the copy at once while the server answers, then replaces it and the copy', async () => {
    await signIn('p1')
    vi.stubGlobal('fetch', onlineArchive(1))
    await useArchiveStore().open('p1', YEAR)

    let answer!: () => void
    const gate = new Promise<void>((resolve) => (answer = resolve))
    const later = onlineArchive(2)
    vi.stubGlobal('fetch', vi.fn(async (url: string) => gate.then(() => later(url))))
    const store = await reload()
    const opening = store.open('p1', YEAR)
    await vi.waitFor(() => expect(store.summary?.totals.meetingsAttended).toBe(1))
    expect(store.loading).toBe(false)
    expect(store.cachedAt).toBeUndefined() // still trying: not yet called offline

    answer()
    await opening
    expect(store.summary?.totals.meetingsAttended).toBe(2)
    expect((await db.archives.get(['p1', YEAR]))?.summary.totals.meetingsAttended).toBe(2)
  })

  it('keeps no copy of other people’s archives a leader opens', async () => {
    await signIn('leader')
    vi.stubGlobal('fetch', onlineArchive(1))
    await useArchiveStore().open('p1', YEAR)
    expect(await db.archives.count()).toBe(0)

    vi.stubGlobal('fetch', offline())
    const store = await reload()
    await store.open('p1', YEAR)
    expect(store.summary).toBeUndefined()
    expect(store.error).toBe('errors.NETWORK')
  })

  it('forgets the copy when another person signs in on the phone', async () => {
    await signIn('p1')
    vi.stubGlobal('fetch', onlineArchive(1))
    await useArchiveStore().open('p1', YEAR)
    expect(await db.archives.count()).toBe(1)

    vi.stubGlobal('fetch', offline())
    await useAuthStore().logout()
    await signIn('p2')
    expect(await db.archives.count()).toBe(0)

    // p2 offline: their own archive is not there, and p1's is nowhere on screen.
    vi.stubGlobal('fetch', offline())
    const store = useArchiveStore()
    await store.open('p2', YEAR)
    expect(store.summary).toBeUndefined()
    expect(store.error).toBe('errors.NETWORK')
  })
})
