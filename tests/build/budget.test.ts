/**
 * What a phone must fetch before a first screen shows: the entry, the route chunks of that screen
 * and everything they import statically (read from Vite's build manifest), with their CSS, which
 * blocks the paint. Budgets in gzip, so a village 3G connection paints in a few seconds.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { FIRST_SCREENS, staticClosure, type ManifestChunk } from '../../firstScreens.ts'

const DIST = join(import.meta.dirname, '../../dist')
/**
 * Login is what a first visit fetches over the village link; home comes from the service worker's
 * cache on every later opening, so its budget is parse time on a cheap phone. Home paints with
 * the session read without Dexie; Dexie (31 KB), the sync engine and home's study block follow.
 */
const JS_BUDGET_KB = { login: 100, home: 100 }
const CSS_BUDGET_KB = 15

const gzipKb = (files: string[]) => files.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f))).length, 0) / 1024

describe('first-screen budget', () => {
  const manifestPath = join(DIST, '.vite/manifest.json')

  it.each(Object.entries(FIRST_SCREENS))(`the %s screen stays within its JavaScript budget and ${CSS_BUDGET_KB} KB of CSS, gzip`, (screen, roots) => {
    expect(existsSync(manifestPath), 'run `npm run build` first').toBe(true)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>
    const chunks = staticClosure(manifest, roots)
    const js = gzipKb(chunks.map((c) => c.file))
    const css = gzipKb([...new Set(chunks.flatMap((c) => c.css ?? []))])
    console.log(`first screen (${screen}): JS ${js.toFixed(1)} KB, CSS ${css.toFixed(1)} KB gzip, ${chunks.length} chunks`)
    expect(js).toBeLessThan(JS_BUDGET_KB[screen as keyof typeof JS_BUDGET_KB])
    expect(css).toBeLessThan(CSS_BUDGET_KB)
  })
})
