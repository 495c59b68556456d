/**
 * What a file is, from its first bytes: never from its name or the type the browser claims, both
 * of which the uploader controls. Only the formats phones play are known; everything else is
 * refused, and the few things an attacker would try (programs, web pages, SVG) get a plain reason.
 */
import type { MediaKind } from '../../../src/protocol/media.ts'

export interface MediaType {
  kind: MediaKind
  /** Extension the object is stored under; the static server derives Content-Type from it. */
  ext: 'jpg' | 'png' | 'webp' | 'mp3' | 'm4a' | 'aac' | 'ogg'
}

const ascii = (bytes: Uint8Array, at: number, length: number): string => String.fromCharCode(...bytes.subarray(at, at + length))

const startsWith = (bytes: Uint8Array, ...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b)

/** An MPEG audio frame header (layer III, or II) at `at`, with no reserved field values. */
function isMpegFrame(bytes: Uint8Array, at: number): boolean {
  const [b0, b1, b2] = [bytes[at], bytes[at + 1], bytes[at + 2]]
  if (b0 !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return false
  const version = (b1 >> 3) & 0b11
  const layer = (b1 >> 1) & 0b11
  const bitrate = b2 >> 4
  const sampleRate = (b2 >> 2) & 0b11
  return version !== 0b01 && (layer === 0b01 || layer === 0b10) && bitrate !== 0 && bitrate !== 0b1111 && sampleRate !== 0b11
}

/** ADTS: raw AAC as some recorders write it (sync word, layer 0). */
const isAdts = (bytes: Uint8Array): boolean => bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0

/** An MP3 starts with an ID3 tag followed by a frame, or with a frame. */
function isMp3(bytes: Uint8Array): boolean {
  if (ascii(bytes, 0, 3) === 'ID3') {
    // Tag size: four 7-bit bytes ("syncsafe"), plus the 10-byte header and an optional footer.
    const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f)
    const footer = (bytes[5]! & 0x10) !== 0 ? 10 : 0
    return isMpegFrame(bytes, 10 + size + footer)
  }
  return isMpegFrame(bytes, 0)
}

/** ISO media brands an M4A/AAC recording carries (a phone recorder writes mp42 or isom as often as M4A). */
const M4A_BRANDS = new Set(['M4A ', 'M4B ', 'mp41', 'mp42', 'isom', 'iso2'])

/** The known type of `bytes`, or undefined. */
export function sniffMediaType(bytes: Uint8Array): MediaType | undefined {
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return { kind: 'image', ext: 'jpg' }
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'image', ext: 'png' }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { kind: 'image', ext: 'webp' }
  if (ascii(bytes, 4, 4) === 'ftyp' && M4A_BRANDS.has(ascii(bytes, 8, 4))) return { kind: 'audio', ext: 'm4a' }
  // The first Ogg page holds the codec's identification header.
  if (ascii(bytes, 0, 4) === 'OggS' && /OpusHead|\x01vorbis/.test(ascii(bytes, 28, 16))) return { kind: 'audio', ext: 'ogg' }
  if (isMp3(bytes)) return { kind: 'audio', ext: 'mp3' }
  if (isAdts(bytes)) return { kind: 'audio', ext: 'aac' }
  return undefined
}

/**
 * Why an unknown file is refused, in words an editor understands; the dangerous cases are named
 * so a renamed program or a web page is not mistaken for a damaged photo.
 */
export function refusalReason(bytes: Uint8Array): string {
  if (startsWith(bytes, 0x7f, 0x45, 0x4c, 0x46) || startsWith(bytes, 0x4d, 0x5a) || startsWith(bytes, 0x23, 0x21) || isMachO(bytes)) {
    return 'This file is a program, not an image or a recording (renaming it does not change what it is).'
  }
  // Text that opens with a tag, after an optional byte-order mark and white space: HTML, SVG, XML.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).replace(/^\uFEFF?\s*/, '')
  if (head.startsWith('<')) return 'Web pages, SVG and XML files are not accepted: they can carry scripts.'
  return 'This file is not one of the accepted formats.'
}

function isMachO(bytes: Uint8Array): boolean {
  const magic = ascii(bytes, 0, 4)
  return ['\xfe\xed\xfa\xce', '\xfe\xed\xfa\xcf', '\xce\xfa\xed\xfe', '\xcf\xfa\xed\xfe', '\xca\xfe\xba\xbe'].includes(magic)
}
