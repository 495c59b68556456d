import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import en from '@/i18n/en.ts'
import { messageCompiler } from '@/i18n/messageCompiler.ts'
import zhCN from '@/i18n/zh-CN.ts'
import zhFeatures from '@/i18n/zh-CN.features.ts'

type Translate = (key: string, arg?: number | unknown[] | Record<string, unknown>) => string

function i18nWith(messages: Record<string, unknown>): { t: Translate } {
  const options = { legacy: false, locale: 'zh-CN', messages: { 'zh-CN': messages }, messageCompiler }
  const i18n = createI18n(options as never) as unknown as { global: { t: Translate } }
  return { t: (key, arg) => i18n.global.t(key, arg) }
}

function* strings(tree: unknown, path = ''): Generator<[string, string]> {
  if (typeof tree === 'string') yield [path, tree]
  else if (tree && typeof tree === 'object') for (const [k, v] of Object.entries(tree)) yield* strings(v, path ? `${path}.${k}` : k)
}

describe('the message compiler the app ships instead of vue-i18n’s', () => {
  it('fills named and numbered placeholders, and leaves text without them alone', () => {
    const { t } = i18nWith({ hello: '{name}，你好', pair: '{0} 和 {1}', plain: '已可离线使用', spaced: '共 { n } 条' })
    expect(t('hello', { name: '王芳' })).toBe('王芳，你好')
    expect(t('pair', ['党章', '党史'])).toBe('党章 和 党史')
    expect(t('plain')).toBe('已可离线使用')
    expect(t('spaced', { n: 3 })).toBe('共 3 条')
  })

  it('picks the plural choice as vue-i18n does: zero | one | many, and one | many', () => {
    const { t } = i18nWith({ ago: '今天 | {n}天前 | {n}天前', days: 'today | {n} day ago | {n} days ago', items: '{n} item | {n} items' })
    expect([t('ago', 0), t('ago', 1), t('ago', 5)]).toEqual(['今天', '1天前', '5天前'])
    expect([t('days', 0), t('days', 1), t('days', 2)]).toEqual(['today', '1 day ago', '2 days ago'])
    expect([t('items', 1), t('items', 4)]).toEqual(['1 item', '4 items'])
  })

  it('covers every message in the locale files: no linked messages, literals or stray braces', () => {
    const unsupported: string[] = []
    for (const [file, tree] of Object.entries({ 'zh-CN': zhCN, 'zh-CN.features': zhFeatures, en })) {
      for (const [key, text] of strings(tree)) {
        const rest = text.replace(/\{\s*\w+\s*\}/g, '')
        if (/[{}]|@[:.]/.test(rest)) unsupported.push(`${file}: ${key}: ${text}`)
      }
    }
    expect(unsupported).toEqual([])
  })
})
