import { createPinia } from 'pinia'
import { createApp } from 'vue'
import './styles/app.css'
import App from './App.vue'
import { useAuthStore } from './features/auth/auth.store.ts'
import { i18n, localeReady } from './i18n/index.ts'
import { router } from './router.ts'
import { startOfflineReadiness } from './shared/offlineReadiness.ts'
import { installPopupNames } from './ui/popupNames.ts'
import './shared/elderMode.ts'

async function start(): Promise<void> {
  const app = createApp(App).use(createPinia()).use(i18n)
  const auth = useAuthStore()
  // The session comes from Dexie before the first route is chosen, so an offline reload stays signed in.
  await Promise.all([auth.restore(), localeReady])
  app.use(router)
  app.mount('#app')
  installPopupNames()
  void auth.refreshProfile()
  // Pushes whatever the outbox holds now and whenever a trigger fires (online, visible, new write…).
  // Loaded after the first screen shows: it needs Dexie, which a first visit's login does not.
  void import('./features/sync/sync.store.ts').then(({ useSyncStore }) => useSyncStore().start())
  startOfflineReadiness()
}

void start()
