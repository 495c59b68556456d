import { describe, expect, it } from 'vitest'
import { areaCellOf, cellBlockE6 } from '@/protocol/areaCell.ts'

describe('area cell (what the phone tells the server instead of its position)', () => {
  it('names a 0.1° cell, the same for every position inside it', () => {
    expect(areaCellOf(28.463817, 113.731254)).toEqual({ latCell: 284, lngCell: 1137 })
    expect(areaCellOf(28.4, 113.79999)).toEqual({ latCell: 284, lngCell: 1137 })
    expect(areaCellOf(-33.8688, 151.2093)).toEqual({ latCell: -339, lngCell: 1512 })
    expect(areaCellOf(90, 180)).toEqual({ latCell: 899, lngCell: 1799 })
  })

  it('covers the cell and its neighbours, so points within 10 km of anywhere in the cell are found', () => {
    expect(cellBlockE6({ latCell: 284, lngCell: 1137 })).toEqual({ latMin: 28_300_000, latMax: 28_600_000, lngMin: 113_600_000, lngMax: 113_900_000 })
  })
})
