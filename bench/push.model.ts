/**
 * The push model test at scale (`npm run bench:push:model`): the PWA's real push core against the
 * real server under generated fault schedules (tests/server/sync/pushModel.ts), 1,000 schedules
 * by default on SQLite, then on PostgreSQL (BENCH_PG=0 skips it). Prints how many ran and how
 * long they took; any doubled, lost or wrongly refused record stops it with the schedule.
 * SCHEDULES=n sets the count, SEED=n the seed (a failure prints the seed and path to replay it).
 */
import fc from 'fast-check'
import { makeWorld, phoneModel, runSchedule } from '../tests/server/sync/pushModel.ts'
import { buildTestApp } from '../tests/support/testApp.ts'

const schedules = Number(process.env.SCHEDULES ?? 1000)
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31)
const dialects = process.env.BENCH_PG === '0' ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const)

for (const dialect of dialects) {
  const ctx = await buildTestApp(dialect)
  try {
    const world = await makeWorld(ctx)
    let ran = 0
    const started = performance.now()
    await fc.assert(
      fc.asyncProperty(phoneModel.actions, async (schedule) => {
        ran++
        await runSchedule(ctx, world, schedule)
      }),
      { numRuns: schedules, seed, endOnFailure: true },
    )
    const seconds = (performance.now() - started) / 1000
    const faults = [...phoneModel.faultsHit].map(([f, n]) => `${f} ${n}`).join(', ')
    console.log(`${dialect}: ${ran} schedules passed in ${seconds.toFixed(1)} s (${((seconds * 1000) / ran).toFixed(0)} ms each; seed ${seed}; faults struck: ${faults})`)
    phoneModel.faultsHit.clear()
  } finally {
    await ctx.close()
  }
}
