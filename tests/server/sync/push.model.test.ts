/**
 * The PWA's real push core against the real server on both databases, under generated fault
 * schedules (see pushModel.ts): every record a phone makes lands exactly once with its effect
 * (rows counted in each kind's own table, audit rows for reviews), none is lost, and only the
 * refused ones end in the dead-letter table. The in-memory fake server of the client's model
 * test deduplicates by construction; this one cannot hide a doubled or lost record.
 * `npm run bench:push:model` runs the same model for 1,000+ schedules.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWorld, phoneModel, runSchedule, type World } from './pushModel.ts'
import { buildTestApp, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

/** Schedules per database: 100 in all stay within about a minute on this machine. */
const RUNS = { sqlite: 60, postgres: 40 }

describe.each(DIALECTS)('the real push client against the real server on %s', (dialect) => {
  let ctx: TestContext
  let world: World
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    world = await makeWorld(ctx)
  })
  afterAll(() => ctx.close())

  it('lands every record exactly once with its effect, whatever the network does', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(phoneModel.actions, (schedule) => runSchedule(ctx, world, schedule)),
      { numRuns: RUNS[dialect], seed: 20_261_203, endOnFailure: true },
    )
    // Every fault struck often enough to matter (a fault queued with no request after it never does).
    for (const fault of ['dropRequest', 'dropResponse', 'status413', 'status503', 'status429'] as const) {
      expect(phoneModel.faultsHit.get(fault) ?? 0, fault).toBeGreaterThanOrEqual(5)
    }
    phoneModel.faultsHit.clear()
  })
})
