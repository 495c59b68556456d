import { mount } from '@vue/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FlowingRecordRow } from '@/db/db.ts'
import FlowingReviewHistory from '@/features/flowing/FlowingReviewHistory.vue'
import { i18n, loadFeatureMessages } from '@/i18n/index.ts'

const TEN = new Date(2026, 11, 3, 10, 0).getTime()
const card: FlowingRecordRow = {
  id: 'card-1',
  personId: 'flowing-1',
  personName: '张流动',
  orgUnitId: 'group-1',
  heldOn: TEN - 86_400_000,
  place: '深圳',
  organisation: '园区党支部',
  content: '主题党日',
  hasPhoto: false,
  status: 'returned',
  reason: '请补充照片',
  reviewedByName: '王书记',
  reviewedAt: TEN,
  createdAt: TEN,
  reviewId: 'r-return',
  reviews: [
    { id: 'r-return', decision: 'returned', reason: '请补充照片', reviewedByName: '王书记', at: TEN, basedOn: null, overruledBy: null },
    { id: 'r-confirm', decision: 'confirmed', reason: null, reviewedByName: '李组长', at: TEN - 3_600_000, basedOn: null, overruledBy: { name: '王书记', decision: 'returned', at: TEN } },
  ],
}

describe('record-card review history where leaders review cards', () => {
  beforeAll(() => loadFeatureMessages())

  it('lists every review, and says 已被更正 with who and when under the one that was not applied', () => {
    const wrapper = mount(FlowingReviewHistory, { props: { records: [card] }, global: { plugins: [i18n] } })
    const entries = wrapper.findAll('[data-testid="flowing-review-entry"]')
    expect(entries.map((e) => e.text().split(' · ')[1])).toEqual(['王书记', '李组长'])
    expect(entries[0]!.text()).toContain('请补充照片')
    expect(entries[0]!.find('[data-testid="flowing-review-corrected"]').exists()).toBe(false)
    const corrected = entries[1]!.get('[data-testid="flowing-review-corrected"]').text()
    expect(corrected).toContain('已被更正')
    expect(corrected).toContain('王书记')
    expect(corrected).toContain(i18n.global.d(new Date(TEN), 'short'))
    expect(corrected).toContain('已退回')
  })

  it('shows nothing when no card was reviewed lately', () => {
    expect(mount(FlowingReviewHistory, { props: { records: [] }, global: { plugins: [i18n] } }).text()).toBe('')
  })
})
