/**
 * Where the member is in a lesson video and what they have actually watched, kept on this phone
 * (Dexie videoPositions): the video opens where they stopped, and `onWatched` fires once when
 * the played parts cover the whole video except a few skipped seconds (watchCoverage.ts).
 */
import { videoDb } from './video.db.ts'
import { addPlayed, playedStep, watchedToEnd, type Ranges } from './watchCoverage.ts'

/** How often the position is written while playing (it is also written on pause and end). */
const SAVE_EVERY_MS = 5000

export function useVideoProgress(lessonId: string, fallbackDuration: number, onWatched: () => void) {
  let watched: Ranges = []
  let last = 0
  let savedAt = 0
  let reported = false
  const stored = videoDb.position(lessonId).then((row) => {
    watched = row?.watched ?? []
    return row?.seconds ?? 0
  })

  const duration = (el: HTMLVideoElement) => (Number.isFinite(el.duration) && el.duration > 0 ? el.duration : fallbackDuration)

  function save(el: HTMLVideoElement): void {
    savedAt = Date.now()
    // At the end the next visit starts from the beginning again.
    void videoDb.savePosition({ lessonId, seconds: el.ended ? 0 : el.currentTime, watched })
  }

  function check(el: HTMLVideoElement): void {
    if (reported || !watchedToEnd(watched, duration(el))) return
    reported = true
    onWatched()
  }

  return {
    /** On loadedmetadata: jump to where the member stopped (unless that was the very end). */
    async loaded(el: HTMLVideoElement): Promise<void> {
      const at = await stored
      if (at > 1 && at < duration(el) - 3) el.currentTime = at
      last = el.currentTime
    },
    timeupdate(el: HTMLVideoElement): void {
      if (el.seeking) return
      const step = el.paused ? null : playedStep(last, el.currentTime, el.playbackRate)
      if (step) watched = addPlayed(watched, ...step)
      last = el.currentTime
      if (Date.now() - savedAt > SAVE_EVERY_MS) save(el)
      check(el)
    },
    seeked(el: HTMLVideoElement): void {
      last = el.currentTime
    },
    stopped(el: HTMLVideoElement): void {
      if (el.ended) watched = addPlayed(watched, last, duration(el))
      save(el)
      check(el)
    },
  }
}
