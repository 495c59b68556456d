/**
 * Shared by the server and the PWA (no schema library here, so the PWA bundle stays small).
 */
import type { AttendanceStatus } from './attendance.ts'

/**
 * Whether two statuses say the same about a member's attendance: a leader's 出席 and the
 * member's own check-in do. An overruled mark that said the same as the one in force needs no
 * 已被更正 notice (a leader's offline "all present" after members checked in is the common case).
 */
export function sameOutcome(a: AttendanceStatus, b: AttendanceStatus): boolean {
  const attended = (s: AttendanceStatus) => s === 'present' || s === 'checked_in'
  return a === b || (attended(a) && attended(b))
}
