/**
 * Whether the app is working offline. `navigator.onLine` alone lies on village networks (a
 * phone can be "online" with no route to us), so a failed request also counts as offline
 * until the next request gets through.
 */
import { computed, ref } from 'vue'

const browserOnline = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
const serverReachable = ref(true)

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (browserOnline.value = true))
  window.addEventListener('offline', () => (browserOnline.value = false))
}

export function markReachable(): void {
  serverReachable.value = true
}

export function markUnreachable(): void {
  serverReachable.value = false
}

export const isOffline = computed(() => !browserOnline.value || !serverReachable.value)
