/**
 * A record the server refused as TOO_OLD: the phone says why in the member's language and offers
 * only to discard it (sent again under a new id, a record the server took long ago would count twice).
 */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DeadLetterRecord } from '@/db/db.ts'
import SyncRefusedRow from '@/features/sync/SyncRefusedRow.vue'
import { i18n, loadFeatureMessages } from '@/i18n/index.ts'

const refused = (code: string): DeadLetterRecord => ({
  id: '0190a1b2-c3d4-7000-8000-000000000001',
  kind: 'study_event',
  payload: { lessonId: 'l1', courseId: 'c1', kind: 'studied', seconds: 60 },
  createdAt: Date.UTC(2024, 0, 5),
  deviceId: 'd',
  attempts: 1,
  code,
  message: 'server text',
  movedAt: Date.now(),
})

describe('a refused record that is too old', () => {
  beforeAll(async () => {
    await loadFeatureMessages()
    setActivePinia(createPinia())
  })

  it('explains it in Chinese and English and offers discard, not send again', async () => {
    const row = mount(SyncRefusedRow, { props: { record: refused('TOO_OLD') }, global: { plugins: [i18n] } })
    expect(row.get('[data-testid="refused-reason"]').text()).toContain('超过 400 天')
    expect(row.find('[data-testid="refused-send"]').exists()).toBe(false)
    expect(row.find('[data-testid="refused-discard"]').exists()).toBe(true)
    const { default: en } = await import('@/i18n/en.ts')
    i18n.global.setLocaleMessage('en', en)
    i18n.global.locale.value = 'en'
    try {
      const english = mount(SyncRefusedRow, { props: { record: refused('TOO_OLD') }, global: { plugins: [i18n] } })
      expect(english.get('[data-testid="refused-reason"]').text()).toContain('over 400 days')
    } finally {
      i18n.global.locale.value = 'zh-CN'
    }
    // Any other refusal can still be sent again.
    const other = mount(SyncRefusedRow, { props: { record: refused('FORBIDDEN') }, global: { plugins: [i18n] } })
    expect(other.find('[data-testid="refused-send"]').exists()).toBe(true)
  })
})
