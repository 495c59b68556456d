import type { Reporter, TestModule } from 'vitest/node'

const SLOWEST_SHOWN = 12

/**
 * Prints one plain "N passed, N failed, N skipped" line at the end, which CI reads, and before it
 * the slowest test files: `npm test` must stay under 30 minutes on a 2-core machine, and this
 * shows where the time goes in every run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
    }
    const slowest = [...testModules]
      .map((mod) => ({ file: mod.relativeModuleId, ms: mod.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SLOWEST_SHOWN)
    if (slowest.length > 1) {
      console.log('\nslowest test files:')
      for (const { file, ms } of slowest) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`)
    }
    console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  }
}
