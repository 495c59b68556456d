import { createI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import en from './en.ts'
import zhCN from './zh-CN.ts'
import { loadPreference, savePreference } from '@/shared/preferences.ts'

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]

const initial: AppLocale = loadPreference('locale') === 'en' ? 'en' : 'zh-CN'

export const i18n = createI18n({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  datetimeFormats: {
    'zh-CN': { short: { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }, date: { month: 'numeric', day: 'numeric' } },
    en: { short: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }, date: { month: 'short', day: 'numeric' } },
  },
})

function applyLocale(locale: AppLocale): void {
  VantLocale.use(locale, locale === 'en' ? vantEn : vantZh)
  document.documentElement.lang = locale
}
applyLocale(initial)

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  savePreference('locale', locale)
  applyLocale(locale)
}
