import { describe, expect, it } from 'vitest'
import { answerShapeError, isRight, normaliseFill, scoreQuiz, type Scorable } from '../../../src/protocol/quiz.scoring.ts'

const single: Scorable = { id: 's', type: 'single', options: ['a', 'b', 'c'], answer: ['B'] }
const multiple: Scorable = { id: 'm', type: 'multiple', options: ['a', 'b', 'c', 'd'], answer: ['A', 'C', 'D'] }
const tf: Scorable = { id: 't', type: 'truefalse', options: [], answer: ['false'] }
const fill: Scorable = { id: 'f', type: 'fill', options: [], answer: ['十一', '11', 'CPC'] }

describe('quiz scoring', () => {
  it('single and true/false: exactly the right answer', () => {
    expect(isRight(single, ['B'])).toBe(true)
    expect(isRight(single, ['A'])).toBe(false)
    expect(isRight(single, [])).toBe(false)
    expect(isRight(tf, ['false'])).toBe(true)
    expect(isRight(tf, ['true'])).toBe(false)
  })

  it('multiple: full marks only for exactly the right set, in any order; no partial credit', () => {
    expect(isRight(multiple, ['D', 'A', 'C'])).toBe(true)
    expect(isRight(multiple, ['A', 'C'])).toBe(false)
    expect(isRight(multiple, ['A', 'B', 'C', 'D'])).toBe(false)
    expect(isRight(multiple, ['A', 'A', 'C'])).toBe(false)
  })

  it('fill: trimmed, full-width and case normalised, any accepted answer', () => {
    expect(isRight(fill, ['  十一 '])).toBe(true)
    expect(isRight(fill, ['１１'])).toBe(true)
    expect(isRight(fill, ['ｃｐｃ'])).toBe(true)
    expect(isRight(fill, ['cpc'])).toBe(true)
    expect(isRight(fill, ['十'])).toBe(false)
    expect(isRight(fill, ['  '])).toBe(false)
    expect(normaliseFill('\u3000Ａｂ　c ')).toBe('ab c')
  })

  it('scores in percent against the pass mark; unanswered is wrong', () => {
    const answers = new Map([
      ['s', ['B']],
      ['m', ['A', 'C']],
      ['t', ['false']],
    ])
    expect(scoreQuiz([single, multiple, tf, fill], answers, 50)).toEqual({ correct: 2, total: 4, score: 50, passed: true })
    expect(scoreQuiz([single, multiple, tf, fill], answers, 60).passed).toBe(false)
  })

  it('checks the shape of an answer for its question', () => {
    expect(answerShapeError(single, ['D'])).toMatch(/one of A, B, C/)
    expect(answerShapeError(single, ['A', 'B'])).not.toBeNull()
    expect(answerShapeError(tf, ['yes'])).toMatch(/true or false/)
    expect(answerShapeError(multiple, ['A', 'A'])).not.toBeNull()
    expect(answerShapeError(fill, ['a', 'b'])).not.toBeNull()
    expect(answerShapeError(fill, [])).toBeNull()
  })
})
