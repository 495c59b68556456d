import { describe, expect, it } from 'vitest'
import { addPlayed, playedStep, watchedToEnd, type Ranges } from '@/features/library/video/watchCoverage.ts'

/** Plays from `from` to `to` as timeupdates a quarter second apart at `rate`. */
function play(ranges: Ranges, from: number, to: number, rate = 1): Ranges {
  let last = from
  for (let t = from + 0.25 * rate; t <= to + 1e-9; t += 0.25 * rate) {
    const step = playedStep(last, t, rate)
    if (step) ranges = addPlayed(ranges, ...step)
    last = t
  }
  return ranges
}

describe('watched to the end', () => {
  it('counts a video watched in two sittings, at 1.5×', () => {
    let r = play([], 0, 40)
    expect(watchedToEnd(r, 100)).toBe(false)
    r = play(r, 40, 100, 1.5)
    expect(watchedToEnd(r, 100)).toBe(true)
  })

  it('allows a skip of a few seconds but not a seek to the end', () => {
    expect(watchedToEnd(play(play([], 0, 50), 54, 100), 100)).toBe(true)
    expect(watchedToEnd(play(play([], 0, 10), 95, 100), 100)).toBe(false)
    expect(playedStep(10, 95, 1)).toBeNull()
  })
})
