/** API pages timed through the real Fastify app (inject), as a markdown table. */
import type { buildApp } from '../../server/app.ts'
import { time } from './timing.ts'

export interface Page {
  label: string
  url: string
  token: string
}

/** Prints `| page | p50 ms | p95 ms |` for GETs of each page (2 warm-ups, then `runs`); returns the worst p95. */
export async function timePages(app: Awaited<ReturnType<typeof buildApp>>, pages: Page[], runs: number): Promise<number> {
  console.log('| page | p50 ms | p95 ms |\n|---|---|---|')
  let worst = 0
  for (const p of pages) {
    const { p50, p95 } = await time(async () => {
      const res = await app.inject({ method: 'GET', url: p.url, headers: { authorization: `Bearer ${p.token}` } })
      if (res.statusCode !== 200) throw new Error(`${p.url}: ${res.statusCode} ${res.body}`)
    }, runs)
    worst = Math.max(worst, p95)
    console.log(`| ${p.label} | ${p50.toFixed(0)} | ${p95.toFixed(0)} |`)
  }
  return worst
}
