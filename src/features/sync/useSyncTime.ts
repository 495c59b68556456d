import { useI18n } from 'vue-i18n'
import { serverTime } from './clock.ts'

/** Formats a device-clock time corrected by the learned server offset, so a wrong phone clock still shows sane times. */
export function useSyncTime() {
  const { d } = useI18n()
  return {
    /** For times already on the server clock (e.g. last synced). */
    formatServer: (ms: number) => d(new Date(ms), 'short'),
    /** For times taken from the device clock (e.g. when a record was made). */
    formatDevice: (ms: number) => d(new Date(serverTime(ms)), 'short'),
  }
}
