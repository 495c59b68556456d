import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import MarkdownView from '@/features/library/MarkdownView.vue'
import { renderMarkdown } from '@/features/library/markdown.ts'

declare global {
  interface Window {
    __pwned?: number
  }
}

describe('rendering lesson Markdown', () => {
  afterEach(() => {
    delete window.__pwned
    document.body.innerHTML = ''
  })

  it('renders headings, lists and images', () => {
    const html = renderMarkdown('## 标题\n\n- 一\n- 二\n\n![图](/media/images/a.svg?v=1)')
    expect(html).toContain('<h2>标题</h2>')
    expect(html).toContain('<li>一</li>')
    expect(html).toMatch(/<img[^>]+src="\/media\/images\/a.svg\?v=1"[^>]*loading="lazy"/)
  })

  it('does not run a <script> or onerror payload from content', async () => {
    const payload = [
      '正文<script>window.__pwned = 1</script>',
      '<img src="x" onerror="window.__pwned = 2">',
      '<a href="javascript:window.__pwned=3">点我</a>',
      '<svg><g onload="window.__pwned = 4"></g></svg>',
      '[链接](javascript:window.__pwned=5)',
      '<iframe src="javascript:window.__pwned=6"></iframe>',
    ].join('\n\n')
    const wrapper = mount(MarkdownView, { props: { source: payload }, attachTo: document.body })
    const html = wrapper.html()
    const root = wrapper.element as HTMLElement
    expect(root.querySelectorAll('script, iframe')).toHaveLength(0)
    const attrs = [...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`))
    expect(attrs.filter((a) => /^on/i.test(a) || /javascript:/i.test(a))).toEqual([])
    // Give any injected handler a chance to fire, then check it never ran.
    for (const a of wrapper.findAll('a')) (a.element as HTMLElement).click()
    await new Promise((r) => setTimeout(r, 50))
    expect(window.__pwned).toBeUndefined()
    expect(html).toContain('正文')
    wrapper.unmount()
  })
})
