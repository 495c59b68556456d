/**
 * The JavaScript a phone must fetch before a first screen shows: the entry, the route chunks of
 * that screen and everything they import statically (read from Vite's build manifest). Budget
 * 150 KB gzip, so a village 3G connection paints in a few seconds.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

const DIST = join(import.meta.dirname, '../../dist')
const BUDGET_BYTES = 150 * 1024

interface ManifestChunk {
  file: string
  imports?: string[]
}

const FIRST_SCREENS = {
  login: ['index.html', 'src/features/auth/LoginPage.vue'],
  home: ['index.html', 'src/ui/MainLayout.vue', 'src/features/home/HomePage.vue'],
}

function staticClosure(manifest: Record<string, ManifestChunk>, roots: string[]): string[] {
  const seen = new Set<string>()
  const visit = (key: string) => {
    if (seen.has(key)) return
    const chunk = manifest[key]
    if (!chunk) throw new Error(`${key} is not in the build manifest`)
    seen.add(key)
    chunk.imports?.forEach(visit)
  }
  roots.forEach(visit)
  return [...seen].map((k) => manifest[k]!.file)
}

describe('first-screen JavaScript budget', () => {
  const manifestPath = join(DIST, '.vite/manifest.json')

  it.each(Object.entries(FIRST_SCREENS))('the %s screen stays under 150 KB gzip', (screen, roots) => {
    expect(existsSync(manifestPath), 'run `npm run build` first').toBe(true)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>
    const files = staticClosure(manifest, roots)
    const total = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f))).length, 0)
    console.log(`first-screen JS (${screen}): ${(total / 1024).toFixed(1)} KB gzip in ${files.length} files`)
    expect(total).toBeLessThan(BUDGET_BYTES)
  })
})
