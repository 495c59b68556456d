/**
 * `npm run bench:search-index`: the saved search index for 5,000 generated pocket-book entries,
 * before and after issue 19 in one run: its size as saved (JSON with stored fields, against JSON
 * without them, gzip-compressed as the PWA saves it) and the time to get it back into memory
 * (gunzip, parse and load), in Node at full speed. The pocket book's opening and the first search
 * with a 4× slower CPU are in `bench:first-screen` and tests/e2e/cheap-phone.test.ts.
 */
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { gunzipSync, gzipSync } from 'node:zlib'
import { entryGenerator } from './support/entries.ts'

const N = Number(process.env.BENCH_ENTRIES ?? 5000)
// Client modules use the PWA's '@/' paths (tsx resolves them from tsconfig.json).
const clientModule = (path: string) => import(/* @vite-ignore */ path) as Promise<any>
const search = await clientModule('@/features/pocket/search.index.ts')
const { default: MiniSearch } = await import('minisearch')

const docs = entryGenerator(N).generate().map(search.entryDoc)
// Before: the fields the index used to store (kind, refId, title); plain addAll gives the same JSON.
const old = new MiniSearch({ ...search.OPTIONS, storeFields: ['kind', 'refId', 'title'] })
old.addAll(docs)
const before = JSON.stringify(old)
const after = JSON.stringify(search.createIndex(docs))
const gzip = gzipSync(after)

/** Best of three, in ms. */
function best(fn: () => unknown): number {
  const times = [0, 1, 2].map(() => {
    const start = performance.now()
    fn()
    return performance.now() - start
  })
  return Math.min(...times)
}
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`
const ms = (n: number) => `${Math.round(n)} ms`
const rows: [string, string][] = [
  ['saved before (JSON, stored kind/refId/title)', mb(before.length)],
  ['saved now: JSON without stored fields', mb(after.length)],
  ['saved now: that JSON gzip-compressed (what IndexedDB holds)', `${mb(gzip.byteLength)} (${((100 * gzip.byteLength) / before.length).toFixed(0)} % of before)`],
  ['load before: parse + loadJSON', ms(best(() => MiniSearch.loadJSON(before, { ...search.OPTIONS, storeFields: ['kind', 'refId', 'title'] })))],
  ['load now: gunzip + parse + loadJSON', ms(best(() => search.loadIndex(gunzipSync(gzip).toString('utf8'))))],
  ['of which gunzip', ms(best(() => gunzipSync(gzip)))],
]
console.log(`\nsaved search index, ${N} generated entries (Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()})\n`)
for (const [what, figure] of rows) console.log(`  ${what}: ${figure}`)
