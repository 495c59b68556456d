/**
 * Reads what the phone needs to know about an MP4 before it downloads it (duration, picture size)
 * straight from the file's boxes, so the import works without ffmpeg. Only box headers and the
 * `moov` box are read, never the media data, so a video of hundreds of MB costs a few reads.
 * ISO/IEC 14496-12: a box is [size u32][type 4cc] (size 1: a u64 size follows; 0: to end of file).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { VIDEO_UPLOAD_LIMITS } from '../../../src/protocol/video.ts'

/** Limits stated to editors (docs/video.md): longer or bigger files are refused. */
export const VIDEO_MAX_BYTES = VIDEO_UPLOAD_LIMITS.maxBytes
export const VIDEO_MAX_SECONDS = VIDEO_UPLOAD_LIMITS.maxSeconds
/** moov holds the sample tables; even a 3-hour video keeps it to a few MB. */
const MOOV_MAX_BYTES = 64 * 1024 ** 2

export interface VideoInfo {
  bytes: number
  /** seconds, rounded to 0.1 s */
  duration: number
  width: number
  height: number
}

/**
 * A file the import or the upload refuses; the message says what is wrong in an editor's words.
 * `kind`: not an MP4 at all, over a limit, or an MP4 that is broken or incomplete.
 */
export class VideoError extends Error {
  constructor(
    message: string,
    readonly kind: 'type' | 'limit' | 'broken' = 'broken',
  ) {
    super(message)
  }
}

interface Box {
  type: string
  /** where the box's content starts, and where the box ends */
  start: number
  end: number
}

/** Walks the boxes between `from` and `to`, using `read(pos, len)` to fetch header bytes. */
function boxes(read: (pos: number, len: number) => Buffer, from: number, to: number): Box[] {
  const out: Box[] = []
  let pos = from
  while (pos + 8 <= to) {
    const head = read(pos, 16)
    let size = head.readUInt32BE(0)
    const type = head.toString('latin1', 4, 8)
    let start = pos + 8
    if (size === 1) {
      if (head.length < 16) throw new VideoError(`the file is truncated (the "${type}" box has no size)`)
      size = Number(head.readBigUInt64BE(8))
      start = pos + 16
    } else if (size === 0) {
      size = to - pos
    }
    if (size < start - pos) throw new VideoError(`the "${type}" box has an impossible size ${size}`)
    if (pos + size > to) throw new VideoError(`the file is truncated: the "${type}" box needs ${pos + size - to} more bytes`)
    out.push({ type, start, end: pos + size })
    pos += size
  }
  return out
}

/** Duration from `mvhd` (version 0: 32-bit fields; version 1: 64-bit times and duration). */
function movieSeconds(moov: Buffer, box: Box): number {
  const v = moov[box.start]!
  const at = box.start + 4 + (v === 1 ? 16 : 8)
  const timescale = moov.readUInt32BE(at)
  const duration = v === 1 ? Number(moov.readBigUInt64BE(at + 4)) : moov.readUInt32BE(at + 4)
  if (timescale === 0) throw new VideoError('the movie header has a time scale of 0')
  return Math.round((duration / timescale) * 10) / 10
}

/** Picture size from a `tkhd` (16.16 fixed point, after the matrix); 0×0 for a sound track. */
function trackSize(moov: Buffer, box: Box): { width: number; height: number } {
  const v = moov[box.start]!
  const at = box.start + 4 + (v === 1 ? 32 : 20) + 8 + 8 + 36
  return { width: moov.readUInt32BE(at) >>> 16, height: moov.readUInt32BE(at + 4) >>> 16 }
}

/** Probes an MP4 from a buffer-reading function; throws VideoError with a readable reason. */
export function probeMp4(read: (pos: number, len: number) => Buffer, bytes: number): VideoInfo {
  if (bytes > VIDEO_MAX_BYTES) throw new VideoError(`the video is ${(bytes / 1024 ** 3).toFixed(1)} GB; the limit is 4 GB`, 'limit')
  if (bytes < 8 || read(4, 4).toString('latin1') !== 'ftyp') {
    throw new VideoError('this is not an MP4 video (it does not start with an "ftyp" box); export it as MP4 (H.264/AAC)', 'type')
  }
  const top = boxes(read, 0, bytes)
  const moovBox = top.find((b) => b.type === 'moov')
  if (!moovBox) throw new VideoError('the MP4 has no "moov" box (the file is incomplete or was not finished when saved)')
  if (moovBox.end - moovBox.start > MOOV_MAX_BYTES) throw new VideoError('the MP4 "moov" box is larger than 64 MB')
  const moov = read(moovBox.start, moovBox.end - moovBox.start)
  const within = (box: Box) => boxes((p, l) => moov.subarray(p, p + l), box.start, box.end)
  const inMoov = boxes((p, l) => moov.subarray(p, p + l), 0, moov.length)
  const mvhd = inMoov.find((b) => b.type === 'mvhd')
  if (!mvhd) throw new VideoError('the MP4 has no movie header ("mvhd")')
  const duration = movieSeconds(moov, mvhd)
  if (duration > VIDEO_MAX_SECONDS) throw new VideoError(`the video lasts ${(duration / 3600).toFixed(1)} hours; the limit is 3 hours`, 'limit')
  const sizes = inMoov
    .filter((b) => b.type === 'trak')
    .flatMap((trak) => within(trak).filter((b) => b.type === 'tkhd'))
    .map((tkhd) => trackSize(moov, tkhd))
  const picture = sizes.find((s) => s.width > 0 && s.height > 0) ?? { width: 0, height: 0 }
  return { bytes, duration, ...picture }
}

/** Probes an MP4 file on disk, reading only box headers and `moov`. */
export function probeMp4File(path: string): VideoInfo {
  const fd = openSync(path, 'r')
  try {
    const read = (pos: number, len: number) => {
      const buf = Buffer.alloc(len)
      const n = readSync(fd, buf, 0, len, pos)
      return buf.subarray(0, n)
    }
    return probeMp4(read, fstatSync(fd).size)
  } finally {
    closeSync(fd)
  }
}
