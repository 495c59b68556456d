/**
 * The printable list of first passwords, saved as CSV on the leader's phone and opened in Excel
 * or WPS: a name a member typed must stay text there, never run as a formula.
 */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import OneTimePasswords from '@/features/admin/OneTimePasswords.vue'

const i18n = createI18n({
  legacy: false,
  locale: 'en',
  missing: (_locale, key) => key,
  messages: { en: {} },
  missingWarn: false,
  fallbackWarn: false,
})

function downloadedCsv(people: { name: string; phone: string; password: string }[]): string {
  const wrapper = mount(OneTimePasswords, { props: { people }, global: { plugins: [i18n] } })
  const href = wrapper.find('a[download]').attributes('href')!
  return decodeURIComponent(href.slice(href.indexOf(',') + 1))
}

describe('the one-time password CSV', () => {
  it('keeps a name that starts like a formula as text', () => {
    const csv = downloadedCsv([
      { name: '=HYPERLINK("http://evil.example","点我")', phone: '13600000001', password: '01234567' },
      { name: '+1+cmd|/c calc', phone: '13600000002', password: '76543210' },
      { name: '@SUM(A1)', phone: '13600000003', password: '11112222' },
      { name: '王建国', phone: '13600000004', password: '00001234' },
    ])
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(lines[1]!.startsWith(`"'=HYPERLINK(""http://evil.example"",""点我"")",`)).toBe(true)
    expect(lines[2]!.startsWith(`'+1+cmd|/c calc,`)).toBe(true)
    expect(lines[3]!.startsWith(`'@SUM(A1),`)).toBe(true)
    expect(lines[4]).toContain('王建国')
    expect(lines[4]).not.toContain("'王建国")
  })
})
