/**
 * Latency figures. No Node globals here: bench/push-drain.client.ts imports this too, and the
 * PWA's tsconfig.json (DOM types only) checks it.
 */

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** p50 / p95 in ms of `runs` calls of `run`, after `warmUps` untimed calls. */
export async function time(run: () => Promise<unknown>, runs: number, warmUps = 2): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmUps; i++) await run()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await run()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) }
}
