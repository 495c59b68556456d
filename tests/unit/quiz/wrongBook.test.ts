import { describe, expect, it } from 'vitest'
import { afterAnswer } from '../../../src/features/quiz/wrongBook.ts'

const DAY = 86_400_000
const day1 = new Date(2026, 10, 20, 9).getTime()

describe('wrong-answer book rule', () => {
  it('takes in a question answered wrong and keeps it until right on two later days', () => {
    let row = afterAnswer(undefined, 'q', false, day1)
    expect(row).toMatchObject({ questionId: 'q', wrongDay: '2026-11-20', rightDays: [] })
    row = afterAnswer(row, 'q', true, day1 + 3_600_000) // same day: does not count
    expect(row?.rightDays).toEqual([])
    row = afterAnswer(row, 'q', true, day1 + DAY)
    row = afterAnswer(row, 'q', true, day1 + DAY + 3_600_000) // same later day twice: counts once
    expect(row?.rightDays).toEqual(['2026-11-21'])
    expect(afterAnswer(row, 'q', true, day1 + 3 * DAY)).toBeUndefined()
  })

  it('starts again after a wrong answer, and ignores right answers to questions not in the book', () => {
    let row = afterAnswer(undefined, 'q', false, day1)
    row = afterAnswer(row, 'q', true, day1 + DAY)
    row = afterAnswer(row, 'q', false, day1 + 2 * DAY)
    expect(row).toMatchObject({ wrongDay: '2026-11-22', rightDays: [], addedAt: day1 })
    expect(afterAnswer(undefined, 'q', true, day1)).toBeUndefined()
  })
})
