/**
 * MP4 files made in code for tests, so no video binary is committed. `box()` writes one
 * ISO-BMFF box; `minimalMp4` is the smallest file the importer accepts (ftyp, moov with a movie
 * header and one picture track, then the media data), not something a player can decode.
 */
export function box(type: string, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length, 0)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length)
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i))
  return b
}

export const ftyp = () => box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2mp41', 'latin1'))

/** Movie header, version 0: times, time scale, duration, rate, volume, matrix, next track id. */
export function mvhd(timescale: number, duration: number): Buffer {
  const matrix = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
  return box('mvhd', u32(0, 0, 0, timescale, duration, 0x10000), Buffer.from([1, 0, 0, 0]), Buffer.alloc(8), matrix, Buffer.alloc(24), u32(2))
}

/** Track header, version 0 (flags: enabled, in movie); width/height 0 for a sound track. */
export function tkhd(trackId: number, duration: number, width: number, height: number, volume = 0): Buffer {
  const matrix = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
  return box('tkhd', u32(3, 0, 0, trackId, 0, duration), Buffer.alloc(8), Buffer.from([0, 0, 0, 0, volume, 0, 0, 0]), matrix, u32(width << 16, height << 16))
}

export function minimalMp4({ seconds = 95, width = 640, height = 360, payload = 1000 } = {}): Buffer {
  const moov = box('moov', mvhd(1000, seconds * 1000), box('trak', tkhd(1, seconds * 1000, width, height)))
  return Buffer.concat([ftyp(), moov, box('mdat', Buffer.alloc(payload, 7))])
}
