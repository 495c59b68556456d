import type { MediaLimits } from '../../../src/protocol/media.ts'

const MB = 1024 * 1024

/**
 * What the studio accepts. A phone photo is 2–8 MB; a 30-minute talk at 128 kbit/s is about 28 MB.
 * 40 megapixels covers every phone camera (a 200 MP mode is refused: take the photo again at the
 * normal size). 1280 px on the long side is sharp on a phone screen, including at 2× density on
 * a 360 px wide one, and keeps a lesson's images small for a download over a village network.
 */
export const MEDIA_LIMITS: MediaLimits = {
  image: {
    maxBytes: 15 * MB,
    formats: ['JPEG', 'PNG', 'WebP'],
    accept: ['image/jpeg', 'image/png', 'image/webp'],
    maxPixels: 40_000_000,
    maxSide: 1280,
  },
  audio: {
    maxBytes: 30 * MB,
    formats: ['MP3', 'M4A', 'AAC', 'Ogg'],
    accept: ['audio/mpeg', 'audio/mp4', 'audio/x-m4a', 'audio/aac', 'audio/ogg', 'audio/opus'],
  },
}

/** The body limit of the upload route: the largest kind. */
export const MAX_UPLOAD_BYTES = Math.max(MEDIA_LIMITS.image.maxBytes, MEDIA_LIMITS.audio.maxBytes)
