import { i18n } from '@/i18n/index.ts'

/**
 * Gives Vant's pop-ups the accessible names Vant leaves out, for every screen at once (present
 * and future) without touching a call site: a dialog points `aria-labelledby` at its title *text*
 * instead of an element id; a toast and a bottom sheet are unnamed dialogs; the overlay that closes
 * a sheet is an unnamed button. A screen reader then announces what opened, and axe passes.
 */
const NAME_SOURCES = '.van-dialog__header, .van-action-sheet__header, h1, h2, h3, .van-dialog__message'
let lastId = 0

function namePopup(el: Element): void {
  // A toast is a passing message, not a place to go: a polite live region reads it out once.
  // (Set only when different: every setAttribute is a mutation this observer would see again.)
  if (el.classList.contains('van-toast')) {
    if (el.getAttribute('role') !== 'status') el.setAttribute('role', 'status')
    if (el.getAttribute('aria-live') !== 'polite') el.setAttribute('aria-live', 'polite')
    return
  }
  const labelledBy = el.getAttribute('aria-labelledby')
  if (el.hasAttribute('aria-label') || (labelledBy && document.getElementById(labelledBy))) return
  const source = [...el.querySelectorAll(NAME_SOURCES)].find((s) => s.textContent?.trim())
  if (source) {
    source.id ||= `popup-name-${++lastId}`
    el.setAttribute('aria-labelledby', source.id)
  } else {
    el.removeAttribute('aria-labelledby')
    el.setAttribute('aria-label', (el as HTMLElement).innerText.trim().split('\n')[0]!.slice(0, 40))
  }
}

const POPUP = '.van-popup[role="dialog"], .van-toast'
const OVERLAY = '.van-overlay[role="button"]:not([aria-label])'

function fix(el: Element): void {
  for (const popup of [el, ...el.querySelectorAll(POPUP)].filter((e) => e.matches(POPUP))) namePopup(popup)
  for (const overlay of [el, ...el.querySelectorAll(OVERLAY)].filter((e) => e.matches(OVERLAY))) overlay.setAttribute('aria-label', i18n.global.t('common.close'))
}

export function installPopupNames(): void {
  // Pop-ups are teleported to <body>; Vue re-renders a pop-up's own attributes when its props
  // change (the next dialog's title), so those changes are fixed again too.
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') fix(record.target as Element)
      else for (const node of record.addedNodes) if (node instanceof Element) fix(node)
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-labelledby', 'role'] })
}
