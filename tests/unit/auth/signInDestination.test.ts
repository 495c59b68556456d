import { describe, expect, it } from 'vitest'
import { signInDestination } from '@/features/auth/signInDestination.ts'
import { createAppRouter } from '@/router.ts'

/** Where the login page goes after signing in, from `/login?next=…` (already URL-decoded once). */
describe('the page after sign-in', () => {
  const router = createAppRouter()
  const go = (next: unknown) => signInDestination(next, router)

  it('returns to the app page the person was sent away from', () => {
    expect(go('/quiz')).toBe('/quiz')
    expect(go('/study?tab=courses#top')).toBe('/study?tab=courses#top')
  })

  it.each([
    ['//evil.example/x'],
    ['/\\evil.example/x'],
    ['/\t/evil.example'],
    ['https://evil.example/x'],
    ['javascript:alert(1)'],
    ['%2F%2Fevil.example'],
    ['/%2F%2Fevil.example'],
    ['/%5Cevil.example'],
    ['evil.example'],
    ['/no-such-page'],
    ['/login'],
    [''],
    [undefined],
    [['/quiz', '//evil.example']],
  ])('goes home instead of %j', (next) => {
    expect(go(next)).toBe('/')
  })

  it('reads the next parameter decoded, so an encoded //host is refused too', () => {
    expect(go(router.resolve('/login?next=%2F%2Fevil.example').query.next)).toBe('/')
    expect(go(router.resolve('/login?next=%2Fquiz').query.next)).toBe('/quiz')
  })

  it('never leaves the origin, whatever the next parameter holds', () => {
    for (const next of ['//evil.example', '/\\evil.example', '/\\/evil.example', '/./\\evil', '/quiz/../\\evil']) {
      expect(new URL(go(next), 'https://app.example/login').origin).toBe('https://app.example')
    }
  })
})
