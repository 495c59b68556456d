/**
 * Calendar months and years in China time (UTC+8, no daylight saving): a branch's "November" is
 * Beijing's November, whatever the server's time zone.
 */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000

/** Epoch ms at 00:00 China time on the first day of `month` (1–12) of `year`; month 13 is next January. */
export function monthStart(year: number, month: number): number {
  return Date.UTC(year, month - 1, 1) - CHINA_OFFSET_MS
}

/** The calendar year in China of an instant. */
export function chinaYear(ms: number): number {
  return new Date(ms + CHINA_OFFSET_MS).getUTCFullYear()
}

export function yearRange(year: number): [number, number] {
  return [monthStart(year, 1), monthStart(year + 1, 1)]
}

/** "2026-11" → its range and the previous month's label. */
export function parseMonth(label: string): { year: number; month: number; from: number; to: number; previous: string } {
  const [year, month] = label.split('-').map(Number) as [number, number]
  const prevYear = month === 1 ? year - 1 : year
  const prevMonth = month === 1 ? 12 : month - 1
  return { year, month, from: monthStart(year, month), to: monthStart(year, month + 1), previous: `${prevYear}-${String(prevMonth).padStart(2, '0')}` }
}

/** "2026-11-27" in China time, for exported files. */
export function chinaDate(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10)
}
