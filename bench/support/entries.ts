/**
 * Pocket-book entries for benches, generated from the sentences of the real pocket book so the
 * text looks like ours; the same seed gives the same entries (bench:library, bench:search-index).
 */
import type { PocketEntry } from '../../src/protocol/content.ts'
import { parseContent } from '../../server/features/content/content.parse.ts'
import { CONTENT_DIR } from '../../server/features/content/import.ts'

export function entryGenerator(n: number) {
  let seed = 42
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!

  function generate(): PocketEntry[] {
    const real = parseContent(CONTENT_DIR).entries
    const sentences = real.flatMap((e) => e.body.split(/(?<=[。；！？\n])/).map((s) => s.trim()).filter((s) => s.length > 4))
    const titles = real.map((e) => e.title)
    const tags = real.flatMap((e) => JSON.parse(e.tags) as string[])
    const categories = [...new Set(real.map((e) => e.category))]
    return Array.from({ length: n }, (_, i) => ({
      id: `bench-${String(i).padStart(5, '0')}`,
      category: pick(categories),
      title: `${pick(titles)}（${i}）`,
      tags: [pick(tags), pick(tags)],
      body: Array.from({ length: 4 + Math.floor(rand() * 6) }, () => pick(sentences)).join('\n\n'),
    }))
  }
  return { rand, pick, generate }
}
