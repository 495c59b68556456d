/**
 * Shrinks a photo on the phone until its base64 fits a home-visit record (≤ 200,000 characters,
 * ~146 KB), so a visit always fits in one push batch even on a slow village link.
 */
const MAX_CHARS = 200_000

async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** `maxChars`: a smaller budget where several photos share one record (reflections: 3 × 80,000). */
export async function shrinkPhoto(file: Blob, maxChars = MAX_CHARS): Promise<string> {
  const bitmap = await createImageBitmap(file)
  try {
    for (const [side, quality] of [[1280, 0.8], [1024, 0.7], [800, 0.6], [640, 0.5], [480, 0.45]] as const) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height))
      const canvas = document.createElement('canvas')
      canvas.width = Math.round(bitmap.width * scale)
      canvas.height = Math.round(bitmap.height * scale)
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
      if (!blob) continue
      const base64 = await toBase64(blob)
      if (base64.length <= maxChars) return base64
    }
  } finally {
    bitmap.close()
  }
  throw new Error('PHOTO_TOO_LARGE')
}
