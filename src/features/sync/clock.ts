/**
 * Device clocks on village phones are often wrong by hours or years. Records keep the device's
 * `createdAt` as data; for showing times we learn the offset to the server clock from the `Date`
 * header of each sync answer (second resolution is plenty for "last synced at").
 */
import type { PocketDb } from '../../db/db.ts'

const CLOCK_KEY = 'clockOffset'

export interface ClockOffset {
  /** server time − device time, ms */
  offsetMs: number
  learnedAt: number
}

let offsetMs = 0
/** An offset was learned (now or on an earlier run): until then there is nothing to correct with. */
let offsetKnown = false

/** Server time − device time, from a response's Date header and the request's device-clock midpoint. */
export function offsetFromDateHeader(dateHeader: string | null, sentAt: number, receivedAt: number): number | undefined {
  if (!dateHeader) return undefined
  const server = Date.parse(dateHeader)
  if (Number.isNaN(server)) return undefined
  // The header is truncated to the second: add half a second to centre the error.
  return server + 500 - (sentAt + receivedAt) / 2
}

export async function learnOffset(db: PocketDb, offset: number, now = Date.now()): Promise<void> {
  offsetMs = offset
  offsetKnown = true
  await db.meta.put({ key: CLOCK_KEY, value: { offsetMs: offset, learnedAt: now } satisfies ClockOffset })
}

export async function loadOffset(db: PocketDb): Promise<number> {
  const row = (await db.meta.get(CLOCK_KEY))?.value as ClockOffset | undefined
  offsetMs = row?.offsetMs ?? 0
  offsetKnown = row !== undefined
  return offsetMs
}

/** Best guess of the real time for a device-clock time (now, when omitted). */
export function serverTime(deviceMs: number = Date.now()): number {
  return deviceMs + offsetMs
}

export function currentOffset(): number {
  return offsetMs
}

/** The server-corrected time of a device-clock time, or undefined while no offset is known. */
export function correctedTime(deviceMs: number): number | undefined {
  return offsetKnown ? Math.round(deviceMs + offsetMs) : undefined
}

/**
 * When one of the member's own records was made, for showing: the time corrected when it was made
 * (right even if the offset changed since), else the device time corrected by today's offset.
 */
export function recordTime(record: { createdAt: number; correctedAt?: number }): number {
  return record.correctedAt ?? serverTime(record.createdAt)
}
