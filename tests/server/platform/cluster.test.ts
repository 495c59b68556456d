/** WORKERS=n (server/cluster.ts): a bad value stops the server at start, before it serves anyone. */
import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { workersFrom } from '../../../server/cluster.ts'

describe('WORKERS', () => {
  it('is one process when unset, one per core with auto, and the count given otherwise', () => {
    expect(workersFrom(undefined)).toBe(1)
    expect(workersFrom(' ')).toBe(1)
    expect(workersFrom('auto')).toBe(availableParallelism())
    expect(workersFrom('4')).toBe(4)
  })

  it('refuses a value that is not a count from 1 to 64', () => {
    for (const bad of ['0', '-1', '2.5', 'two', '65']) expect(() => workersFrom(bad)).toThrow(/WORKERS/)
  })
})
