/**
 * Idle timeout of the 管理 screens. Phones keep long sessions (members study offline for
 * weeks), but leaders also open 管理 on shared desktops in the village office: after 15 minutes
 * without a touch or key on a /manage route, the app goes back to 我的, and entering a 管理
 * screen again asks for the password (the server's step-up window has run out by then too).
 */
import type { Router } from 'vue-router'
import { requestStepUp } from './stepUp.ts'

export const IDLE_LIMIT_MS = 15 * 60 * 1000
const CHECK_EVERY_MS = 30 * 1000

const isManageRoute = (path: string) => path === '/manage' || path.startsWith('/manage/')
/** Kept per tab across reloads: reloading the page must not skip the password. */
const LOCK_KEY = 'pps.manageLocked'

export function installIdleLock(router: Router): void {
  let lastActive = Date.now()
  let locked = sessionStorage.getItem(LOCK_KEY) === '1'
  const setLocked = (on: boolean) => {
    locked = on
    if (on) sessionStorage.setItem(LOCK_KEY, '1')
    else sessionStorage.removeItem(LOCK_KEY)
  }
  const touch = () => (lastActive = Date.now())
  for (const event of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    window.addEventListener(event, touch, { passive: true, capture: true })
  }

  setInterval(() => {
    if (locked || !isManageRoute(router.currentRoute.value.path) || Date.now() - lastActive < IDLE_LIMIT_MS) return
    setLocked(true)
    void router.replace({ name: 'me' })
    void import('./idleToast.ts').then(({ showIdleToast }) => showIdleToast())
  }, CHECK_EVERY_MS)

  router.beforeEach(async (to) => {
    if (!locked || !isManageRoute(to.path)) return
    if (!(await requestStepUp())) return false
    setLocked(false)
    touch()
  })
}
