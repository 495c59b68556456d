import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { db } from '@/db/db.ts'
import type { LoginResponse } from '@/protocol/auth.ts'

const LOGIN: LoginResponse = {
  token: 'tok',
  sessionId: 's1',
  expiresAt: Date.now() + 1e9,
  profile: {
    id: 'p1',
    name: '王建国',
    phone: '13800000003',
    orgUnitId: 'g1',
    orgUnitName: '第一党小组',
    isFlowing: false,
    isElderly: false,
    roles: [{ role: 'group_leader', orgUnitId: 'g1', orgUnitName: '第一党小组', orgKind: 'group' }],
  },
}

function respond(status: number, body?: unknown) {
  return vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status }))
}

describe('auth store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await db.meta.clear()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('stays signed in after a reload with no network', async () => {
    vi.stubGlobal('fetch', respond(200, LOGIN))
    await useAuthStore().login('13800000003', 'demo1234')

    setActivePinia(createPinia()) // a fresh page
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const auth = useAuthStore()
    await auth.restore()
    await auth.refreshProfile()
    expect(auth.signedIn).toBe(true)
    expect(auth.profile?.name).toBe('王建国')
    expect(auth.isLeader).toBe(true)
  })

  it('forgets the session when the server says it was revoked (401)', async () => {
    vi.stubGlobal('fetch', respond(200, LOGIN))
    const auth = useAuthStore()
    await auth.login('13800000003', 'demo1234')
    vi.stubGlobal('fetch', respond(401, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'x' }))
    await auth.refreshProfile()
    expect(auth.signedIn).toBe(false)
    expect(await db.meta.get('session')).toBeUndefined()
  })

  it('does not sign in on a wrong password and keeps the readable error code', async () => {
    vi.stubGlobal('fetch', respond(401, { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'wrong' }))
    const auth = useAuthStore()
    await expect(auth.login('13800000003', 'nope')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' })
    expect(auth.signedIn).toBe(false)
  })
})
