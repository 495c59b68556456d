/**
 * Opened from a WeChat group: WeChat's own browser is told apart by its user agent, and the member
 * is told how to open the app in the phone's browser, in the language they chose.
 */
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { i18n, setLocale } from '@/i18n/index.ts'
import { isWeChatBrowser } from '@/shared/wechat.ts'
import WeChatBanner from '@/ui/WeChatBanner.vue'

const WECHAT_ANDROID =
  'Mozilla/5.0 (Linux; Android 12; V2118A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5061 MMWEBSDK/20230405 MMWEBID/2585 MicroMessenger/8.0.35.2360(0x2800235D) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64'
const WECHAT_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN'
const CHROME_ANDROID = 'Mozilla/5.0 (Linux; Android 12; V2118A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'
const QQ_BROWSER = 'Mozilla/5.0 (Linux; U; Android 11; zh-cn; PDEM30 Build/RKQ1.200903.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/98.0.4758.102 MQQBrowser/13.6 Mobile Safari/537.36'

function mountAs(userAgent: string) {
  vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(userAgent)
  return mount(WeChatBanner, { global: { plugins: [i18n] } })
}

describe('WeChat in-app browser', () => {
  afterEach(async () => {
    vi.restoreAllMocks()
    sessionStorage.clear()
    await setLocale('zh-CN')
  })

  it('is recognised on Android and iPhone, and other browsers are not', () => {
    expect(isWeChatBrowser(WECHAT_ANDROID)).toBe(true)
    expect(isWeChatBrowser(WECHAT_IPHONE)).toBe(true)
    expect(isWeChatBrowser(CHROME_ANDROID)).toBe(false)
    expect(isWeChatBrowser(QQ_BROWSER)).toBe(false)
  })

  it('tells the member to open the app in the browser, in Chinese and in English, and can be closed for this visit', async () => {
    const banner = mountAs(WECHAT_ANDROID)
    expect(banner.get('[data-testid="wechat-banner"]').text()).toContain('点右上角「···」，选择「在浏览器打开」')

    await setLocale('en')
    await banner.vm.$nextTick()
    expect(banner.text()).toContain('Tap "···" at the top right and choose "Open in browser"')

    await banner.get('[data-testid="wechat-banner-close"]').trigger('click')
    expect(banner.find('[data-testid="wechat-banner"]').exists()).toBe(false)
    expect(mountAs(WECHAT_ANDROID).find('[data-testid="wechat-banner"]').exists()).toBe(false)
  })

  it('shows nothing in the phone’s own browser', () => {
    expect(mountAs(CHROME_ANDROID).find('[data-testid="wechat-banner"]').exists()).toBe(false)
  })
})
