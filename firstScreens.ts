/**
 * The screens a phone shows first (login on a first visit, home after) and the files each needs
 * before it can paint, read from Vite's build manifest. The build budget test weighs them; the
 * service worker installs these as the app shell, with what the signed-in screens load right
 * after their first paint (SHELL_AFTER_PAINT), and fetches the rest after activation.
 */
export interface ManifestChunk {
  file: string
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
  assets?: string[]
}

export const FIRST_SCREENS = {
  login: ['index.html', 'src/features/auth/LoginPage.vue'],
  home: ['index.html', 'src/ui/MainLayout.vue', 'src/features/home/HomePage.vue'],
} as const

/**
 * Screens whose dynamic imports load right after the first paint (Dexie and the sync engine under
 * the tabs, home's study block): not weighed as first-screen code, but in the shell, so that a
 * signed-in opening with no network shows the whole home even before the rest has arrived.
 */
const SHELL_AFTER_PAINT = ['src/ui/MainLayout.vue', 'src/features/home/HomePage.vue']

/** The chunks `roots` import statically, themselves included. */
export function staticClosure(manifest: Record<string, ManifestChunk>, roots: readonly string[]): ManifestChunk[] {
  const seen = new Set<string>()
  const visit = (key: string) => {
    if (seen.has(key)) return
    const chunk = manifest[key]
    if (!chunk) throw new Error(`${key} is not in the build manifest`)
    seen.add(key)
    chunk.imports?.forEach(visit)
  }
  roots.forEach(visit)
  return [...seen].map((k) => manifest[k]!)
}

/** Every file (JS, CSS, fonts) the first screens need, as paths in dist/. */
export function firstScreenFiles(manifest: Record<string, ManifestChunk>): Set<string> {
  const afterPaint = SHELL_AFTER_PAINT.flatMap((key) => manifest[key]?.dynamicImports ?? [])
  const chunks = [...Object.values(FIRST_SCREENS), afterPaint].flatMap((roots) => staticClosure(manifest, roots))
  return new Set(chunks.flatMap((c) => [c.file, ...(c.css ?? []), ...(c.assets ?? [])]))
}
