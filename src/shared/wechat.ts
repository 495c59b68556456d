/**
 * WeChat's built-in browser (links shared in a branch's WeChat group open there) cannot install
 * the app to the home screen and may drop its offline storage, so members are told how to open
 * it in the phone's own browser. Everything else still works inside WeChat.
 */
export function isWeChatBrowser(userAgent = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent)
}
