/** How report figures read on screen: rates as whole percents, "—" where there is nothing to rate. */
export function percent(done: number, of: number): string {
  return of === 0 ? '—' : `${Math.round((done / of) * 100)}%`
}

export function ratio(done: number, of: number): number | null {
  return of === 0 ? null : done / of
}

const DAY = 86_400_000

/** Days since a sync, in whole days (0 = today); null when it never happened. */
export function daysSince(at: number | null, now: number): number | null {
  return at === null ? null : Math.max(0, Math.floor((now - at) / DAY))
}

/** Data older than this many days is flagged: a village whose phones have not synced for a week. */
export const STALE_DAYS = 7
