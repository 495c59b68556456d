import { onBeforeUnmount, onMounted } from 'vue'

/**
 * Counts seconds only while the page is visible: a hidden tab, another app in front or a
 * locked screen stop the clock. Time is handed to `flush` when the page hides, every minute,
 * and when the reader closes, so little is lost if the phone dies.
 */
export function useStudyTimer(flush: (seconds: number) => void, { tickMs = 1000, flushEverySeconds = 60 } = {}) {
  let seconds = 0
  let timer: ReturnType<typeof setInterval> | undefined

  const visible = () => document.visibilityState === 'visible'
  const hand = () => {
    if (seconds > 0) flush(seconds)
    seconds = 0
  }
  const start = () => {
    timer ??= setInterval(() => {
      if (!visible()) return
      seconds++
      if (seconds >= flushEverySeconds) hand()
    }, tickMs)
  }
  const stop = () => {
    if (timer) clearInterval(timer)
    timer = undefined
    hand()
  }
  const onVisibility = () => (visible() ? start() : stop())

  onMounted(() => {
    document.addEventListener('visibilitychange', onVisibility)
    window.addEventListener('pagehide', stop)
    if (visible()) start()
  })
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pagehide', stop)
    stop()
  })
  /** Hands over the time so far (e.g. before switching to the next lesson). */
  return { flushNow: hand }
}
