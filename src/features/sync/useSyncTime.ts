import { useI18n } from 'vue-i18n'
import { recordTime, serverTime } from './clock.ts'

/** Formats a device-clock time corrected by the learned server offset, so a wrong phone clock still shows sane times. */
export function useSyncTime() {
  const { d } = useI18n()
  return {
    /** For times already on the server clock (e.g. last synced). */
    formatServer: (ms: number) => d(new Date(ms), 'short'),
    /** For times taken from the device clock (e.g. when a record was made). */
    formatDevice: (ms: number) => d(new Date(serverTime(ms)), 'short'),
    /** When one of the member's own records was made (its corrected time where it has one). */
    formatRecord: (record: { createdAt: number; correctedAt?: number }) => d(new Date(recordTime(record)), 'short'),
  }
}
