import { describe, expect, it } from 'vitest'
import { refusalReason, sniffMediaType } from '../../../server/features/media/mediaType.ts'

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))), Buffer.alloc(64)])

/** An Ogg first page: the 27-byte header, a one-segment lacing table, then the codec's identification packet. */
const oggPage = (packet: string) => bytes('OggS', [0, 2], new Array(20).fill(0), [1, 19], packet)

describe('the type of a file, from its bytes', () => {
  it.each([
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), { kind: 'image', ext: 'jpg' }],
    ['a PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), { kind: 'image', ext: 'png' }],
    ['a WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), { kind: 'image', ext: 'webp' }],
    ['an M4A', bytes([0, 0, 0, 0x20], 'ftypM4A '), { kind: 'audio', ext: 'm4a' }],
    ["a phone recorder's MP4 audio", bytes([0, 0, 0, 0x18], 'ftypmp42'), { kind: 'audio', ext: 'm4a' }],
    ['an Ogg Opus recording', oggPage('OpusHead'), { kind: 'audio', ext: 'ogg' }],
    ['an Ogg Vorbis recording', oggPage('\x01vorbis'), { kind: 'audio', ext: 'ogg' }],
    ['an MP3 without a tag', bytes([0xff, 0xfb, 0x90, 0x64]), { kind: 'audio', ext: 'mp3' }],
    ['raw AAC (ADTS)', bytes([0xff, 0xf1, 0x50, 0x80]), { kind: 'audio', ext: 'aac' }],
  ])('knows %s', (_what, file, type) => {
    expect(sniffMediaType(file)).toEqual(type)
  })

  it.each([
    ['an ID3 tag followed by a web page', bytes('ID3', [3, 0, 0, 0, 0, 0, 0], '<html><script>')],
    ['an Ogg file of another codec', oggPage('\x80theora')],
    ['a GIF', bytes('GIF89a')],
    ['a ZIP', bytes('PK\x03\x04')],
    ['a PDF', bytes('%PDF-1.7')],
  ])('knows no type for %s', (_what, file) => {
    expect(sniffMediaType(file)).toBeUndefined()
  })

  it('names programs and pages among the refusals', () => {
    expect(refusalReason(bytes('#!/bin/sh\nrm -rf /'))).toMatch(/program/)
    expect(refusalReason(bytes([0xcf, 0xfa, 0xed, 0xfe]))).toMatch(/program/)
    expect(refusalReason(bytes('\n\n  <svg onload="alert(1)">'))).toMatch(/scripts/)
    expect(refusalReason(bytes('GIF89a'))).toMatch(/not one of the accepted formats/)
  })
})
