/**
 * What every photo a phone pushes must be (reflections, home visits, record cards): a JPEG (magic
 * bytes, not the client's word; the size limit is the payload schema's), without an EXIF segment.
 * The phone's canvas re-encode never writes EXIF; a photo that still carries it (where GPS lives)
 * came from elsewhere: refused.
 */
export type PhotoProblem = 'notJpeg' | 'hasExif' | null

const PHOTO_MESSAGES = {
  notJpeg: 'is not a JPEG photo',
  hasExif: 'still carries EXIF data (it may hold the location); choose the photo again in the app',
} as const

/** The push refusal for a bad photo at `field`, or null for a clean JPEG. */
export function photoRefusal(base64: string, field: string): { code: 'INVALID_PAYLOAD'; message: string; field: string } | null {
  const problem = photoProblem(base64)
  return problem ? { code: 'INVALID_PAYLOAD', message: `${field} ${PHOTO_MESSAGES[problem]}`, field } : null
}

export function photoProblem(base64: string): PhotoProblem {
  const bytes = Buffer.from(base64, 'base64')
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return 'notJpeg'
  return hasExif(bytes) ? 'hasExif' : null
}

/** Walks the JPEG segments up to the image data looking for APP1 "Exif". */
export function hasExif(bytes: Buffer): boolean {
  let i = 2
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!
    if (marker === 0xda || marker === 0xd9) return false // start of scan / end of image
    const length = bytes.readUInt16BE(i + 2)
    if (marker === 0xe1 && bytes.subarray(i + 4, i + 8).toString('latin1') === 'Exif') return true
    i += 2 + length
  }
  return false
}
