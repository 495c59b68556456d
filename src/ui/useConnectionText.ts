import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { connection } from '@/shared/network.ts'

/**
 * The one sentence about the connection that the banner, 我的 and the screens that queue records
 * all show (undefined while all is well). Messages live in the first-screen bundle (`offline.*`),
 * since the banner shows before any feature loads.
 */
export function useConnectionText() {
  const { t, locale } = useI18n()
  return computed(() => {
    const c = connection.value
    if (c.kind === 'ok') return undefined
    if (c.kind === 'busy' && c.retryAt !== undefined) {
      // The phone's own clock: the member compares it with the clock on the same screen.
      const time = new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(c.retryAt)
      return t('offline.busyUntil', { time })
    }
    return t(`offline.${c.kind}`)
  })
}
