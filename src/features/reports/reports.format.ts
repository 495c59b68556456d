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

/**
 * Figures are brought up to date a moment after each sync (the server folds them in batches):
 * a lag shorter than this is not worth a line on screen, as the time shown is to the minute.
 */
export const LAG_SHOWN_MS = 60_000

/** "08:15" (24-hour, the device's time zone) when the figures trail the answer by a minute or more; else null. */
export function lagTime(report: { asOf: number; generatedAt: number }, locale: string): string | null {
  if (report.generatedAt - report.asOf < LAG_SHOWN_MS) return null
  return new Date(report.asOf).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
}
