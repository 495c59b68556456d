import { showToast } from 'vant'
import { i18n } from '@/i18n/index.ts'

/** Says why 管理 closed (loaded only then: Vant's toast is not part of the first screen). */
export function showIdleToast(): void {
  showToast({ message: i18n.global.t('account.idle'), wordBreak: 'break-word', duration: 5000 })
}
