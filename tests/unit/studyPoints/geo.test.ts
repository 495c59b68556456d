import { describe, expect, it } from 'vitest'
import { byDistance, distanceKm, distanceParts, niceScaleKm, offsetKm, walkingMinutes } from '@/features/studyPoints/geo.ts'

describe('study point distances', () => {
  it('measures great-circle distance like a map does', () => {
    // Tian'anmen → Shanghai People's Square: about 1,067 km.
    expect(distanceKm({ lat: 39.9055, lng: 116.3976 }, { lat: 31.2304, lng: 121.4737 })).toBeCloseTo(1067, -1)
    // One thousandth of a degree of latitude is about 111 m anywhere.
    expect(distanceKm({ lat: 28.46, lng: 113.62 }, { lat: 28.461, lng: 113.62 })).toBeCloseTo(0.1112, 3)
    expect(distanceKm({ lat: 28.46, lng: 113.62 }, { lat: 28.46, lng: 113.62 })).toBe(0)
  })

  it('estimates walking time at 4.5 km/h along a path 1.3× the straight line, rounded up', () => {
    expect(walkingMinutes(0.865)).toBe(15)
    expect(walkingMinutes(0.9)).toBe(16)
    expect(walkingMinutes(3)).toBe(52)
    expect(walkingMinutes(0)).toBe(1)
  })

  it('sorts points nearest first, ties by name', () => {
    const me = { lat: 28.46, lng: 113.62 }
    const points = [
      { name: '远', lat: 28.56, lng: 113.62 },
      { name: '乙', lat: 28.47, lng: 113.62 },
      { name: '近', lat: 28.461, lng: 113.62 },
      { name: '甲', lat: 28.47, lng: 113.62 },
    ]
    const sorted = byDistance(points, me)
    expect(sorted.map((p) => p.name)).toEqual(['近', '甲', '乙', '远'])
    expect(sorted[0]!.km).toBeCloseTo(0.111, 3)
    expect(sorted[3]!.km).toBeGreaterThan(11)
  })

  it('lays points out east and north of the member for the sketch map, with a round scale bar', () => {
    const o = offsetKm({ lat: 28.46, lng: 113.62 }, { lat: 28.47, lng: 113.63 })
    expect(o.y).toBeCloseTo(1.112, 2)
    expect(o.x).toBeCloseTo(0.978, 2)
    expect(niceScaleKm(7.3)).toBe(5)
    expect(niceScaleKm(3.9)).toBe(2)
    expect(niceScaleKm(1.4)).toBe(1)
    expect(niceScaleKm(0.7)).toBe(0.5)
  })

  it('shows short distances in metres and longer ones in km', () => {
    expect(distanceParts(0.434)).toEqual({ value: '430', unit: 'm' })
    expect(distanceParts(2.345)).toEqual({ value: '2.3', unit: 'km' })
    expect(distanceParts(14.6)).toEqual({ value: '15', unit: 'km' })
  })
})
