/**
 * Whether this member's typed codes are refused after too many wrong ones, and until when, as
 * the phone's clock will read it ("HH:MM"). The server says when (`/attendance/me`, cached, so
 * offline it shows the last word); the lock ends by itself, so the time is checked each 30 s.
 */
import { computed, onScopeDispose, ref } from 'vue'
import { currentOffset, serverTime } from '@/features/sync/clock.ts'
import { useAttendanceStore } from './attendance.store.ts'

const pad = (n: number) => String(n).padStart(2, '0')

export function useCheckinLock() {
  const store = useAttendanceStore()
  const now = ref(serverTime())
  const timer = setInterval(() => (now.value = serverTime()), 30_000)
  onScopeDispose(() => clearInterval(timer))
  /** "HH:MM" on this phone's clock when typed codes work again; null when they work now. */
  return computed<string | null>(() => {
    const until = store.mine?.checkinLockedUntil
    if (!until || until <= now.value) return null
    const onPhone = new Date(until - currentOffset())
    return `${pad(onPhone.getHours())}:${pad(onPhone.getMinutes())}`
  })
}
