import { ref } from 'vue'

/**
 * Resolves at the browser's next quiet moment (at most `timeoutMs` later): background work such
 * as the service worker's downloads or the search index waits for it, so it never delays a screen
 * a member is waiting for on a cheap phone. Safari has no requestIdleCallback: a timer stands in.
 */
export function whenIdle(timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: timeoutMs })
    else setTimeout(resolve, 200)
  })
}

/**
 * Resolves in a task of its own: start-up splits its work at these points, so a cheap phone (four
 * times slower than this machine) never runs one long task the member's first tap would wait on.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * True once the first screen is interactive (its route loaded) and the browser had a quiet
 * moment: the service worker registers and downloads only then, so on a slow link it never
 * competes with the screen the member is waiting for (set in main.ts).
 */
export const firstScreenSettled = ref(false)
