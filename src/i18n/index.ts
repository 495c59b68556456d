import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zhCN from './zh-CN.ts'
import { messageCompiler } from './messageCompiler.ts'
import { loadPreference, savePreference } from '@/shared/preferences.ts'

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]

// Only the default locale's first-screen messages ship with the first screen; its feature messages
// and English are lazy chunks (precached by the service worker like every chunk, so they load
// offline too).
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN },
  messageCompiler,
  datetimeFormats: {
    'zh-CN': { short: { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }, date: { month: 'numeric', day: 'numeric' } },
    en: { short: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }, date: { month: 'short', day: 'numeric' } },
  },
})

async function loadVantMessages(locale: AppLocale) {
  return locale === 'en' ? (await import('vant/es/locale/lang/en-US')).default : vantZh
}

async function loadMessages(locale: AppLocale): Promise<void> {
  if (i18n.global.availableLocales.includes(locale)) return
  const { default: en } = await import('./en.ts')
  i18n.global.setLocaleMessage('en', en)
}

let featureMessages: Promise<void> | undefined
/** zh-CN messages of every feature screen; the router waits for them before leaving home/login. */
export function loadFeatureMessages(): Promise<void> {
  featureMessages ??= import('./zh-CN.features.ts').then(({ default: features }) => i18n.global.mergeLocaleMessage('zh-CN', features))
  return featureMessages
}

export async function setLocale(locale: AppLocale): Promise<void> {
  const [vantMessages] = await Promise.all([loadVantMessages(locale), loadMessages(locale)])
  i18n.global.locale.value = locale
  savePreference('locale', locale)
  VantLocale.use(locale, vantMessages)
  document.documentElement.lang = locale
}

/** The remembered locale, loaded before the app mounts so the first paint is in the right language. */
export const localeReady: Promise<void> = setLocale(loadPreference('locale') === 'en' ? 'en' : 'zh-CN')
