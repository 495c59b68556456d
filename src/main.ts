import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import './styles/app.css'
import App from './App.vue'
import { useAuthStore } from './features/auth/auth.store.ts'
import { i18n, localeReady } from './i18n/index.ts'
import { createAppRouter } from './router.ts'
import { firstScreenSettled, nextTask, whenIdle } from './shared/idle.ts'
import { startOfflineReadiness } from './shared/offlineReadiness.ts'
import './shared/elderMode.ts'

async function start(): Promise<void> {
  const app = createApp(App).use(createPinia()).use(i18n)
  const auth = useAuthStore()
  // The session is read before the first route is chosen, so an offline reload stays signed in.
  await Promise.all([auth.restore(), localeReady])
  const router = createAppRouter()
  await nextTask()
  app.use(router)
  app.mount('#app')
  // No pop-up opens before the first screen is on: naming them (ui/popupNames.ts) loads after it.
  void router.isReady().then(() => import('./ui/popupNames.ts')).then(({ installPopupNames }) => installPopupNames())
  void auth.refreshProfile()
  // Pushes whatever the outbox holds now and whenever a trigger fires (online, visible, new write…).
  // Started once someone is signed in (records are only ever sent under their maker's session): a
  // first visit's login screen loads neither Dexie nor the sync engine.
  let syncStarted = false
  watch(
    () => auth.signedIn,
    async (signedIn) => {
      if (!signedIn || syncStarted) return
      syncStarted = true
      await auth.personalDataClaimed()
      const { useSyncStore } = await import('./features/sync/sync.store.ts')
      useSyncStore().start()
    },
    { immediate: true },
  )
  // The service worker's downloads start once the first screen is interactive (its route loaded,
  // then a quiet moment): on a slow link they never compete with it.
  void router
    .isReady()
    .then(() => whenIdle())
    .then(() => {
      firstScreenSettled.value = true
      startOfflineReadiness()
    })
}

void start()
