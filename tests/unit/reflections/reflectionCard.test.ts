import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import ReflectionCard from '@/features/reflections/ReflectionCard.vue'
import type { FeedItem } from '@/features/reflections/reflections.store.ts'
import { i18n } from '@/i18n/index.ts'

declare global {
  interface Window {
    __pwned?: number
  }
}

const item = (text: string, reply: string): FeedItem => ({
  row: {
    feed: 'group',
    sortKey: '1',
    id: '0192f1c2-7b3a-4c01-9d2e-4f5a6b7c8d9e',
    personId: 'p1',
    personName: '<b>王建国</b>',
    orgUnitId: 'g1',
    groupName: '第一党小组',
    lessonId: null,
    courseId: null,
    lessonTitle: null,
    text,
    photoCount: 0,
    status: 'normal',
    reason: null,
    likeCount: 0,
    likedByMe: false,
    replyCount: 1,
    replies: [{ id: 'r1', personId: 'p2', personName: '李秀英', text: reply, receivedAt: Date.now() }],
    receivedAt: Date.now(),
    canReview: false,
  },
  delivery: { state: 'sent' },
  waiting: false,
})

describe('a reflection card', () => {
  afterEach(() => {
    delete window.__pwned
    document.body.innerHTML = ''
  })

  it('shows markup a member typed as plain text and never runs it', async () => {
    setActivePinia(createPinia())
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
    const text = '心得<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'
    const reply = '<img src=x onerror="window.__pwned = 3">回复'
    const wrapper = mount(ReflectionCard, { props: { item: item(text, reply) }, global: { plugins: [i18n, router] }, attachTo: document.body })
    const root = wrapper.element as HTMLElement
    expect(root.querySelectorAll('script, img, b')).toHaveLength(0)
    expect(wrapper.get('[data-testid="reflection-text"]').text()).toBe(text)
    expect(wrapper.get('[data-testid="reflection-reply"]').text()).toContain(reply)
    expect(wrapper.text()).toContain('<b>王建国</b>')
    await new Promise((r) => setTimeout(r, 50))
    expect(window.__pwned).toBeUndefined()
    wrapper.unmount()
  })
})
