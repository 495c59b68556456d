/**
 * What "watched to the end" means for a lesson video: the parts of it the member actually played
 * (not skipped over by seeking) cover all of it except at most SKIP_ALLOWANCE seconds. Kept as
 * merged [from, to] ranges of seconds, so watching in several sittings counts, and a seek
 * straight to the end does not. Only used to decide completion: watch time is never a score.
 */
export type Ranges = Array<[number, number]>

/** Seconds a member may skip (an intro, a blank end) and still have watched the video. */
export const SKIP_ALLOWANCE = 5

/** Adds [from, to] and merges overlapping or touching ranges. */
export function addPlayed(ranges: Ranges, from: number, to: number): Ranges {
  if (!(to > from)) return ranges
  const all = [...ranges, [from, to] as [number, number]].sort((a, b) => a[0] - b[0])
  const out: Ranges = []
  for (const [a, b] of all) {
    const last = out[out.length - 1]
    if (last && a <= last[1] + 0.5) last[1] = Math.max(last[1], b)
    else out.push([a, b])
  }
  return out
}

export function unwatchedSeconds(ranges: Ranges, duration: number): number {
  const played = ranges.reduce((s, [a, b]) => s + Math.max(0, Math.min(b, duration) - Math.max(a, 0)), 0)
  return Math.max(0, duration - played)
}

export function watchedToEnd(ranges: Ranges, duration: number): boolean {
  return duration > 0 && unwatchedSeconds(ranges, duration) <= SKIP_ALLOWANCE
}

/**
 * Follows a playing video's `timeupdate`s (about 4 a second): a small step forward counts as
 * played; a bigger jump (a seek), or any step back, does not.
 */
export function playedStep(previous: number, current: number, rate: number): [number, number] | null {
  const step = current - previous
  return step > 0 && step <= 1.5 * Math.max(1, rate) ? [previous, current] : null
}
