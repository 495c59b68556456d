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

/** The packets of the first logical stream of an Ogg file (RFC 3533): segments of 255 continue. */
function oggPackets(ogg: Buffer): Buffer[] {
  const packets: Buffer[] = []
  let partial: Buffer[] = []
  for (let pos = 0; pos + 27 <= ogg.length; ) {
    if (ogg.toString('latin1', pos, pos + 4) !== 'OggS') throw new Error(`no Ogg page at ${pos}`)
    const segments = ogg[pos + 26]!
    const lacing = ogg.subarray(pos + 27, pos + 27 + segments)
    let at = pos + 27 + segments
    for (const len of lacing) {
      partial.push(ogg.subarray(at, at + len))
      at += len
      if (len < 255) {
        packets.push(Buffer.concat(partial))
        partial = []
      }
    }
    pos = at
  }
  return packets
}

/** Samples (at 48 kHz) in one Opus packet, from its TOC byte (RFC 6716 §3.1). */
function opusSamples(packet: Buffer): number {
  const config = packet[0]! >> 3
  const ms = config < 12 ? [10, 20, 40, 60][config % 4]! : config < 16 ? [10, 20][config % 2]! : [2.5, 5, 10, 20][config % 4]!
  const code = packet[0]! & 3
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet[1]! & 0x3f
  return ms * 48 * frames
}

const full = (type: string, ...parts: Uint8Array[]) => box(type, u32(0), ...parts)

/**
 * A real, playable MP4 (an Opus sound track, which Chromium plays without proprietary codecs)
 * made from the first `seconds` of an Ogg Opus file, then padded with a `free` box to `padTo`
 * bytes so a chunked download has several chunks. No picture: <video> plays it all the same.
 */
export function opusMp4FromOgg(ogg: Buffer, { seconds = 6, padTo = 0 } = {}): Buffer {
  const [head, , ...audio] = oggPackets(ogg)
  if (!head || head.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('not an Ogg Opus file')
  const packets: Buffer[] = []
  let samples = 0
  for (const p of audio) {
    if (samples >= seconds * 48000) break
    packets.push(p)
    samples += opusSamples(p)
  }
  const channels = head[9]!
  const dOps = Buffer.alloc(11)
  dOps.writeUInt8(0, 0)
  dOps.writeUInt8(channels, 1)
  dOps.writeUInt16BE(head.readUInt16LE(10), 2) // pre-skip
  dOps.writeUInt32BE(head.readUInt32LE(12), 4) // input sample rate
  dOps.writeInt16BE(head.readInt16LE(16), 8) // output gain
  dOps.writeUInt8(0, 10) // channel mapping family 0 (mono/stereo)
  const sampleEntry = box(
    'Opus',
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), // reserved, data reference index 1
    Buffer.alloc(8),
    Buffer.from([0, channels, 0, 16, 0, 0, 0, 0]),
    u32(48000 << 16),
    box('dOps', dOps),
  )
  const sizes = packets.map((p) => p.length)
  const stbl = (chunkOffset: number) =>
    box(
      'stbl',
      full('stsd', u32(1), sampleEntry),
      full('stts', u32(packets.length), ...packets.map((p) => u32(1, opusSamples(p)))),
      full('stsc', u32(1, 1, packets.length, 1)),
      full('stsz', u32(0, packets.length, ...sizes)),
      full('stco', u32(1, chunkOffset)),
    )
  const moov = (chunkOffset: number) =>
    box(
      'moov',
      mvhd(48000, samples),
      box(
        'trak',
        tkhd(1, samples, 0, 0, 1),
        box(
          'mdia',
          full('mdhd', u32(0, 0, 48000, samples), Buffer.from([0x55, 0xc4, 0, 0])), // language "und"
          full('hdlr', u32(0), Buffer.from('soun', 'latin1'), Buffer.alloc(12), Buffer.from('sound\0', 'latin1')),
          box('minf', full('smhd', u32(0)), box('dinf', full('dref', u32(1), box('url ', u32(1)))), stbl(chunkOffset)),
        ),
      ),
    )
  const before = ftyp().length + moov(0).length + 8 // the media data starts after mdat's header
  const file = Buffer.concat([ftyp(), moov(before), box('mdat', ...packets)])
  return padTo > file.length + 8 ? Buffer.concat([file, box('free', Buffer.alloc(padTo - file.length - 8))]) : file
}
