/** Village links drop requests: a file is asked for a few times, waiting longer each time. */
const ATTEMPTS = 3
const RETRY_MS = 1000

/** Fetches `url` into `cache`; false when every attempt failed (the caller tries again later). */
export async function fetchInto(cache: Cache, url: string): Promise<boolean> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetch(url, { cache: 'no-cache' })
      if (res.ok) {
        await cache.put(url, res)
        return true
      }
    } catch {
      // A dropped connection: try again below.
    }
    if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt))
  }
  return false
}
