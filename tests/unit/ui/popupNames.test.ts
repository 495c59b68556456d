import { closeDialog, closeToast, showConfirmDialog, showToast } from 'vant'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { installPopupNames } from '@/ui/popupNames.ts'

/** The accessible name a screen reader announces for an element (the parts Vant uses). */
function accessibleName(el: Element): string {
  const ids = el.getAttribute('aria-labelledby')
  if (ids) return ids.split(' ').map((id) => document.getElementById(id)?.textContent?.trim() ?? '').join(' ')
  return el.getAttribute('aria-label') ?? ''
}

const nextRender = () => new Promise((resolve) => setTimeout(resolve, 0))

describe("Vant's pop-ups", () => {
  beforeAll(() => installPopupNames())
  afterEach(() => {
    closeDialog()
    closeToast(true)
  })

  it('a confirm dialog is announced by its title, or by its message when it has none', async () => {
    void showConfirmDialog({ title: '退出登录', message: '确定退出吗？' }).catch(() => undefined)
    await nextRender()
    const titled = document.querySelector('.van-dialog')!
    expect(accessibleName(titled)).toBe('退出登录')

    closeDialog()
    void showConfirmDialog({ message: '删除这门课的下载内容？' }).catch(() => undefined)
    await nextRender()
    await nextRender()
    expect(accessibleName(document.querySelector('.van-dialog')!)).toBe('删除这门课的下载内容？')
  })

  it('a toast is a status message read out politely, not an unnamed dialog', async () => {
    showToast('已学完')
    await nextRender()
    const toast = document.querySelector('.van-toast')!
    expect(toast.getAttribute('role')).toBe('status')
    expect(toast.getAttribute('aria-live')).toBe('polite')
  })
})
