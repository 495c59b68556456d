/**
 * Images are decoded and encoded again before they are stored: what reaches a phone is pixels we
 * wrote, with no EXIF (a phone photo carries where and when it was taken, and the camera's
 * serial), no ICC profile, comments or trailing bytes of another format glued on.
 */
import sharp from 'sharp'
import { ApiError } from '../../shared/errors.ts'
import { MEDIA_LIMITS } from './limits.ts'
import type { MediaType } from './mediaType.ts'

// Each upload is decoded once: libvips' operation cache would only hold memory.
sharp.cache(false)

const { maxPixels, maxSide } = MEDIA_LIMITS.image

export interface EncodedImage {
  bytes: Uint8Array
  width: number
  height: number
}

/**
 * Re-encodes in the format it came in (a PNG diagram stays sharp-edged, a photo stays a JPEG),
 * turned upright by its EXIF orientation and shrunk to `maxSide` on its long side.
 * Refuses an image bomb from its header alone: `metadata()` reads the dimensions without decoding
 * a pixel, so a 100 000 × 100 000 PNG of a few KB costs nothing.
 */
export async function reencodeImage(input: Uint8Array, ext: MediaType['ext']): Promise<EncodedImage> {
  // The header is read with no pixel limit, so a bomb gets its own answer rather than "unreadable".
  const header = await sharp(input, { limitInputPixels: false }).metadata().catch(() => undefined)
  if (!header?.width || !header.height) throw unreadable()
  if (header.width * header.height > maxPixels) {
    throw new ApiError(
      413,
      'IMAGE_TOO_MANY_PIXELS',
      `The image is ${header.width} × ${header.height} pixels; at most ${maxPixels / 1_000_000} megapixels are accepted.`,
    )
  }
  // The limit again while decoding, in case a format's header and its data disagree.
  const pipeline = sharp(input, { limitInputPixels: maxPixels, failOn: 'error' })
    .rotate() // EXIF orientation applied, because the EXIF that says it goes away
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .timeout({ seconds: 30 })
  const encoder =
    ext === 'png' ? pipeline.png({ compressionLevel: 9 }) : ext === 'webp' ? pipeline.webp({ quality: 80 }) : pipeline.jpeg({ quality: 80, progressive: true })
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true }).catch(() => {
    throw unreadable()
  })
  return { bytes: data, width: info.width, height: info.height }
}

const unreadable = () => new ApiError(400, 'MEDIA_UNREADABLE', 'The image could not be read: the file may be damaged or cut short.')
