import { describe, expect, it } from 'vitest'
import { lagTime } from '../../../src/features/reports/reports.format.ts'

describe('how current report figures say they are', () => {
  const at = new Date(2026, 11, 3, 8, 15, 30).getTime()

  it('says nothing when the figures trail the answer by less than a minute', () => {
    expect(lagTime({ asOf: at, generatedAt: at + 59_000 }, 'zh-CN')).toBeNull()
  })

  it('gives the time to the minute, 24-hour, once they trail by a minute or more', () => {
    expect(lagTime({ asOf: at, generatedAt: at + 5 * 60_000 }, 'zh-CN')).toBe('08:15')
    expect(lagTime({ asOf: at + 12 * 3600_000, generatedAt: at + 13 * 3600_000 }, 'en')).toBe('20:15')
  })
})
