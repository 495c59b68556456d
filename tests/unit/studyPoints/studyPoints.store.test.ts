import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/db/db.ts'
import { useStudyPointsStore } from '@/features/studyPoints/studyPoints.store.ts'
import type { StudyPoint } from '@/protocol/studyPoints.ts'
import { setConsent } from '@/shared/consent.ts'

const point = (id: string, lat: number, lng: number): StudyPoint => ({
  id,
  name: id,
  type: 'micro_party_school',
  address: '地址',
  lat,
  lng,
  openingHours: '全天',
  contactName: '',
  contactPhone: '',
  orgUnitId: 'u',
  orgUnitName: '单位',
  retired: false,
  updatedAt: 0,
  meetings: [],
})
const WEST = point('west', 28.46, 113.5)
const CENTRE = point('centre', 28.46, 113.62)
const EAST = point('east', 28.46, 113.74)

/** Lets Dexie's live queries deliver their next value. */
const settle = () => new Promise((r) => setTimeout(r, 30))
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })

let position: { lat: number; lng: number } | 'denied'
function fakeGeolocation(): void {
  vi.stubGlobal('navigator', {
    ...navigator,
    geolocation: {
      getCurrentPosition: (ok: PositionCallback, fail: PositionErrorCallback) =>
        position === 'denied'
          ? fail({ code: 1, PERMISSION_DENIED: 1 } as GeolocationPositionError)
          : ok({ coords: { latitude: position.lat, longitude: position.lng } } as GeolocationPosition),
    },
  })
}

describe('study points store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await Promise.all([db.studyPoints.clear(), db.meta.clear()])
    fakeGeolocation()
    // The member allowed the app to use location (asked once, src/shared/consent.ts); what the
    // browser then says is up to each test.
    setConsent('location', 'allowed')
  })
  afterEach(() => vi.unstubAllGlobals())

  it('asks for the grid cell, never the position, reads every page and sorts the nearest first on the phone', async () => {
    position = { lat: 28.463817, lng: 113.731254 }
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json({ items: [WEST, CENTRE], next: 'p2' }))
      .mockResolvedValueOnce(json({ items: [EAST], next: null }))
    vi.stubGlobal('fetch', fetch)
    const store = useStudyPointsStore()
    expect(await store.nearMe()).toBe(true)
    await settle()
    expect(store.sorted.map((p) => p.id)).toEqual(['east', 'centre', 'west'])
    expect(fetch.mock.calls[1]![0]).toContain('cursor=p2')
    for (const [url, init] of fetch.mock.calls as [string, RequestInit | undefined][]) {
      expect(url).toContain('latCell=284&lngCell=1137')
      expect(`${url} ${String(init?.body ?? '')}`).not.toMatch(/\blat=|\blng=|28\.46|113\.73/)
    }
    // The server answered in its own order (west first); the phone measured and sorted.
    expect(store.sorted.map((p) => Math.round(p.km! * 10) / 10)).toEqual([1, 10.9, 22.6])
    expect(store.stale).toBe(false)
  })

  it('offline, re-sorts the saved points from the new position and says they are saved ones', async () => {
    await db.studyPoints.bulkPut([WEST, CENTRE, EAST])
    position = { lat: 28.46, lng: 113.51 }
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const store = useStudyPointsStore()
    expect(await store.nearMe()).toBe(true)
    await settle()
    expect(store.sorted.map((p) => p.id)).toEqual(['west', 'centre', 'east'])
    expect(store.stale).toBe(true)
    expect(await db.studyPoints.count()).toBe(3)
  })

  it('reports a refused location and offers the townships instead', async () => {
    position = 'denied'
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json({ items: [{ id: 't', name: '白沙乡', pointCount: 1, lat: 28.46, lng: 113.74 }], next: null })))
    const store = useStudyPointsStore()
    expect(await store.nearMe()).toBe(false)
    expect(store.locationFailure).toBe('denied')
    await expect.poll(() => store.areas.map((a) => a.name)).toEqual(['白沙乡'])
  })

  it('never asks the phone for its position when the member said 不允许, and offers the townships', async () => {
    setConsent('location', 'refused')
    const ask = vi.fn()
    vi.stubGlobal('navigator', { ...navigator, geolocation: { getCurrentPosition: ask } })
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json({ items: [{ id: 't', name: '白沙乡', pointCount: 1, lat: 28.46, lng: 113.74 }], next: null })))
    const store = useStudyPointsStore()
    expect(await store.nearMe()).toBe(false)
    expect(ask).not.toHaveBeenCalled()
    await expect.poll(() => store.areas.map((a) => a.name)).toEqual(['白沙乡'])
  })
})
