/**
 * UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. Ids made on the phone are
 * unique without asking the server, and sort roughly by creation time. Within one page the
 * 12-bit `rand_a` field is used as a counter, so ids made in the same millisecond still sort in
 * the order they were made.
 */
let lastMs = -1
let counter = 0

export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  let ms = now
  if (ms <= lastMs) {
    ms = lastMs
    counter++
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an order.
      ms = ++lastMs
      counter = 0
    }
  } else {
    counter = bytes[6]! & 0x07 // start low in the range so the counter has room to grow
  }
  lastMs = ms
  const hi = Math.floor(ms / 2 ** 32)
  const lo = ms >>> 0
  bytes[0] = (hi >>> 8) & 0xff
  bytes[1] = hi & 0xff
  bytes[2] = (lo >>> 24) & 0xff
  bytes[3] = (lo >>> 16) & 0xff
  bytes[4] = (lo >>> 8) & 0xff
  bytes[5] = lo & 0xff
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f)
  bytes[7] = counter & 0xff
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The device-clock millisecond an id was made at. */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
}
