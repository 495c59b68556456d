import type { Router } from 'vue-router'

/**
 * Backslashes and control characters: browsers read `\` as `/` and drop tabs and newlines
 * inside URLs, so `/\evil.example` and `/<tab>/evil.example` both mean `//evil.example`.
 */
const AMBIGUOUS = /[\\\u0000-\u001f\u007f]/
const HOME = '/'

/**
 * The page to open after signing in, from `/login?next=…`: only a path of this app (one leading
 * slash, no scheme or host, a route the router knows, not the login page itself); anything else
 * goes home. Without this, `?next=//evil.example` sent a freshly signed-in person off-site.
 */
export function signInDestination(next: unknown, router: Pick<Router, 'resolve'>): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || AMBIGUOUS.test(next)) return HOME
  const base = 'https://app.invalid'
  if (new URL(next, base).origin !== base) return HOME
  const route = router.resolve(next)
  // The catch-all redirect matches anything; a known page is a record that renders a component.
  const page = route.matched.at(-1)
  return page?.components && route.name !== 'login' ? next : HOME
}
