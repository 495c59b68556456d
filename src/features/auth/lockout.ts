import type { HttpError } from '@/shared/http.ts'

/**
 * "账号已锁定，请于 HH:MM 后再试". The end comes from the server's Retry-After (seconds from now)
 * added to this phone's clock, not from `lockedUntil`: rural phones' clocks are often wrong,
 * and a duration is right whatever the clock says.
 */
export function lockedMessage(err: HttpError, t: (key: string, values?: Record<string, unknown>) => string): string {
  if (!err.retryAfterSeconds) return t('errors.ACCOUNT_LOCKED')
  const until = new Date(Date.now() + err.retryAfterSeconds * 1000)
  const time = `${String(until.getHours()).padStart(2, '0')}:${String(until.getMinutes()).padStart(2, '0')}`
  return t('login.lockedUntil', { time })
}
