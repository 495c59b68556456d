import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

/** Browser tests that measure time or Lighthouse scores: run alone, after everything else. */
const TIMED_E2E = ['tests/e2e/lighthouse.test.ts', 'tests/e2e/slow-3g.test.ts', 'tests/e2e/offline-first-visit.test.ts', 'tests/e2e/library/video-offline.test.ts', 'tests/e2e/cheap-phone.test.ts']

const alias = { '@': fileURLToPath(new URL('./src', import.meta.url)) }

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summaryReporter.ts'],
    projects: [
      {
        plugins: [vue()],
        resolve: { alias },
        define: { __APP_VERSION__: '"test"' },
        test: {
          name: 'unit',
          environment: 'jsdom',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['fake-indexeddb/auto'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: { name: 'build', environment: 'node', include: ['tests/build/**/*.test.ts'] },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: TIMED_E2E,
          // After the unit and server tests, two files at a time: each has its own server, port,
          // database and copy of dist/, and most of a browser test's time is spent waiting (sync
          // timers, throttled links, service-worker installs), so two overlap well on two cores.
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e-timed',
          environment: 'node',
          include: TIMED_E2E,
          // Alone, last: these assert times and scores that another browser on the CPU would skew.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
