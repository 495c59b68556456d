/**
 * The numbers of MIIT's 《移动互联网应用（APP）适老化通用设计规范》 (2021) for an app's elderly
 * version, and the in-page measurement the elder-mode sweep (elder-sweep.test.ts) runs on every
 * screen. dp are taken as CSS px at the phone's 360 px width.
 */
export const MIIT = {
  /** 主要文字 ≥ 18 dp: every visible text, not only body copy (a cheap, strict reading). */
  MAIN_TEXT_MIN_PX: 18,
  /** 最大字体 ≥ 30 dp: each screen has a title or heading at least this large. */
  LARGEST_TEXT_MIN_PX: 30,
  /** 行间距 ≥ 1.3 倍: line-height / font-size. */
  LINE_HEIGHT_MIN: 1.3,
  /**
   * 段落间距 ≥ 1.3 × 行间距: from the last baseline of one paragraph to the first of the next
   * (the gap plus one line) at least 1.3 lines.
   */
  PARAGRAPH_SPACING_MIN: 1.3,
  /** 对比度 ≥ 4.5:1, and 3:1 for large text (WCAG: ≥ 24 px, or ≥ 18.66 px bold). */
  CONTRAST_MIN: 4.5,
  CONTRAST_LARGE_MIN: 3,
  /** 可点击元素 ≥ 60 × 60 dp. */
  TAP_TARGET_MIN_PX: 60,
  /** The phone the numbers are measured on. */
  VIEWPORT: { width: 360, height: 640 },
} as const

/** What a finger can tap: native controls, ARIA widgets and Vant's clickable parts. */
export const TAP_TARGETS = [
  'a[href]',
  'button',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  'summary',
  '[role="button"]',
  '[role="link"]',
  '[role="tab"]',
  '[role="checkbox"]',
  '[role="radio"]',
  '[role="switch"]',
  '[role="menuitem"]',
  '[role="option"]',
  '.van-cell--clickable',
  '.van-haptics-feedback',
].join(', ')

export interface Finding {
  rule: 'text-size' | 'largest-text' | 'line-height' | 'paragraph-spacing' | 'contrast' | 'tap-target' | 'pop-up'
  /** A short selector and the element's text, enough to find it on the screen. */
  element: string
  measured: string
}

/**
 * Runs inside the page (page.evaluate): everything it needs comes in as arguments, nothing from
 * this module's scope. Measures every rendered element, above and below the fold; text inside SVG
 * drawings (the study-point map) is a picture and is not measured.
 */
export function measureElderRules({ rules, targets }: { rules: typeof MIIT; targets: string }): Finding[] {
  const findings: Finding[] = []
  const describe = (el: Element): string => {
    const testid = el.getAttribute('data-testid')
    const cls = [...el.classList].find((c) => !c.startsWith('van-haptics'))
    const tag = el.tagName.toLowerCase() + (testid ? `[data-testid=${testid}]` : cls ? `.${cls}` : '')
    const text = (el.getAttribute('aria-label') || (el as HTMLElement).innerText || (el as HTMLInputElement).placeholder || '').trim().replace(/\s+/g, ' ')
    return text ? `${tag} "${text.slice(0, 30)}"` : tag
  }
  const shown = (el: Element): boolean => {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false
    const r = el.getBoundingClientRect()
    return r.width > 1 && r.height > 1
  }
  const disabled = (el: Element): boolean =>
    !!el.closest(':disabled, [aria-disabled="true"], .van-button--disabled, .van-cell--disabled, .van-checkbox--disabled, .van-radio--disabled, .van-tab--disabled, .van-field--disabled')
  const rgba = (css: string): number[] => {
    const m = css.match(/rgba?\(([^)]+)\)/)
    if (!m) return [0, 0, 0, 0]
    const [r, g, b, a] = m[1]!.split(/[ ,/]+/).filter(Boolean).map(Number)
    return [r!, g!, b!, a ?? 1]
  }
  const over = (top: number[], below: number[]): number[] => {
    const a = top[3]!
    return [0, 1, 2].map((i) => top[i]! * a + below[i]! * (1 - a)).concat(1)
  }
  const luminance = (c: number[]): number => {
    const lin = c.slice(0, 3).map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    return 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!
  }
  /** The solid colour behind an element, or undefined where a picture or gradient is behind it. */
  const backgrounds = new Map<Element | null, number[] | undefined>([[null, [255, 255, 255, 1]]])
  const background = (el: Element | null): number[] | undefined => {
    if (backgrounds.has(el)) return backgrounds.get(el)
    const style = getComputedStyle(el!)
    const own = rgba(style.backgroundColor)
    const below = style.backgroundImage !== 'none' ? undefined : own[3] === 1 ? own : background(el!.parentElement)
    const result = below && own[3]! < 1 ? over(own, below) : below
    backgrounds.set(el, result)
    return result
  }

  // Text: size, line height, contrast, and the largest size on the screen.
  let largest = 0
  const seen = new Set<Element>()
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement
    if (!el || seen.has(el) || !node.textContent!.trim() || el.closest('svg, script, style, noscript')) continue
    seen.add(el)
    if (!shown(el)) continue
    const range = document.createRange()
    range.selectNodeContents(node)
    const box = range.getBoundingClientRect()
    if (box.width <= 1 || box.height <= 1) continue // visually hidden text for screen readers
    const style = getComputedStyle(el)
    const size = parseFloat(style.fontSize)
    largest = Math.max(largest, size)
    if (size < rules.MAIN_TEXT_MIN_PX - 0.01) findings.push({ rule: 'text-size', element: describe(el), measured: `${size.toFixed(1)} px` })
    const lineHeight = style.lineHeight === 'normal' ? NaN : parseFloat(style.lineHeight)
    if (!(lineHeight / size >= rules.LINE_HEIGHT_MIN - 0.005)) {
      findings.push({ rule: 'line-height', element: describe(el), measured: `${style.lineHeight} at ${size.toFixed(1)} px` })
    }
    const back = disabled(el) ? undefined : background(el)
    if (back) {
      const fore = over(rgba(style.color), back)
      const [l1, l2] = [luminance(fore), luminance(back)].sort((a, b) => b - a)
      const ratio = (l1! + 0.05) / (l2! + 0.05)
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700)
      if (ratio < (large ? rules.CONTRAST_LARGE_MIN : rules.CONTRAST_MIN) - 0.005) {
        findings.push({ rule: 'contrast', element: describe(el), measured: `${ratio.toFixed(2)}:1 (${style.color} on rgb(${back.slice(0, 3).map(Math.round).join(', ')}))` })
      }
    }
  }
  if (largest < rules.LARGEST_TEXT_MIN_PX - 0.01) findings.push({ rule: 'largest-text', element: 'the screen', measured: `largest text ${largest.toFixed(1)} px` })

  // Paragraphs that follow each other: the break between them adds at least 0.3 of a line (of
  // the smaller text: a hint under a big number is spaced for the hint).
  for (const p of document.querySelectorAll('p + p')) {
    const prev = p.previousElementSibling!
    if (!shown(p) || !shown(prev)) continue
    const lineHeight = Math.min(parseFloat(getComputedStyle(prev).lineHeight), parseFloat(getComputedStyle(p).lineHeight))
    const gap = p.getBoundingClientRect().top - prev.getBoundingClientRect().bottom
    if ((gap + lineHeight) / lineHeight < rules.PARAGRAPH_SPACING_MIN - 0.005) {
      findings.push({ rule: 'paragraph-spacing', element: describe(p), measured: `${gap.toFixed(1)} px gap, line ${lineHeight} px` })
    }
  }

  // Tap targets. A link inside running text is exempt (WCAG 2.5.8's inline exception): making it
  // 60 px tall would tear the paragraph apart.
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el) || disabled(el) || el.closest('[aria-hidden="true"], [inert]')) continue
    const style = getComputedStyle(el)
    if (style.display === 'inline' && el.parentElement && el.parentElement.innerText.trim() !== (el as HTMLElement).innerText.trim()) continue
    const r = el.getBoundingClientRect()
    if (r.width < rules.TAP_TARGET_MIN_PX - 0.5 || r.height < rules.TAP_TARGET_MIN_PX - 0.5) {
      findings.push({ rule: 'tap-target', element: describe(el), measured: `${r.width.toFixed(0)}×${r.height.toFixed(0)} px` })
    }
  }

  // 无弹窗: nothing pops up over a screen the person has only just opened.
  for (const el of document.querySelectorAll('[role="dialog"], [role="alertdialog"], .van-overlay')) {
    if (shown(el)) findings.push({ rule: 'pop-up', element: describe(el), measured: 'open on arrival' })
  }
  return findings
}
