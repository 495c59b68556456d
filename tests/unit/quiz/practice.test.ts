import { beforeEach, describe, expect, it } from 'vitest'
import { db, type PracticeCardRow } from '@/db/db.ts'
import type { Question } from '@/protocol/quiz.ts'
import { practiceDb } from '@/features/quiz/practice.db.ts'
import { addDays, nextCard, pickDailySet, practiceDay, streak } from '@/features/quiz/practice.ts'

// Local times (the phone's own zone), so the tests hold in any TZ.
const at = (y: number, m: number, d: number, h = 9, min = 0) => new Date(y, m - 1, d, h, min).getTime()
const card = (questionId: string, box: number, dueDay: string): PracticeCardRow => ({ questionId, box, dueDay, lastDay: '2026-11-01' })

describe('Leitner schedule', () => {
  it('doubles the interval with each right answer up to 16 days, and a wrong answer starts over tomorrow', () => {
    expect(nextCard(undefined, 'q', false, '2026-11-27')).toMatchObject({ box: 1, dueDay: '2026-11-28' })
    let c = nextCard(undefined, 'q', true, '2026-11-27')
    expect(c).toMatchObject({ box: 2, dueDay: '2026-11-29' })
    const dues: string[] = []
    for (const day of ['2026-11-29', '2026-12-03', '2026-12-11', '2026-12-27']) {
      c = nextCard(c, 'q', true, day)
      dues.push(c.dueDay)
    }
    expect(dues).toEqual(['2026-12-03', '2026-12-11', '2026-12-27', '2027-01-12'])
    expect(c.box).toBe(5)
    expect(nextCard(c, 'q', false, '2027-01-12')).toMatchObject({ box: 1, dueDay: '2027-01-13', lastDay: '2027-01-12' })
  })

  it('counts days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
})

describe('practice day and streak', () => {
  it('turns the day at local midnight', () => {
    expect(practiceDay(at(2026, 11, 27, 23, 59), undefined)).toBe('2026-11-27')
    expect(practiceDay(at(2026, 11, 28, 0, 1), undefined)).toBe('2026-11-28')
  })

  it('stays on the latest day practised when the clock goes back, so nothing is lost or counted twice', () => {
    expect(practiceDay(at(2000, 1, 1), '2026-11-27')).toBe('2026-11-27')
    expect(practiceDay(at(2026, 11, 28), '2026-11-27')).toBe('2026-11-28')
  })

  it('counts consecutive days, keeps yesterday’s streak while today is open, and breaks after a missed day', () => {
    const done = ['2026-11-24', '2026-11-25', '2026-11-26']
    expect(streak(done, '2026-11-26')).toEqual({ days: 3, doneToday: true })
    expect(streak(done, '2026-11-27')).toEqual({ days: 3, doneToday: false })
    expect(streak(done, '2026-11-28')).toEqual({ days: 0, doneToday: false })
    expect(streak([...done, '2026-11-28'], '2026-11-28')).toEqual({ days: 1, doneToday: true })
  })
})

describe('daily set', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `q${String(i).padStart(2, '0')}`)

  it('mixes at most three due reviews (most overdue first) with new questions, the same set all day', () => {
    const cards = [card('q00', 2, '2026-11-27'), card('q01', 1, '2026-11-20'), card('q02', 3, '2026-11-25'), card('q03', 1, '2026-11-26'), card('q04', 1, '2026-12-01')]
    const set = pickDailySet({ questionIds: ids, cards, wrongBook: [] }, '2026-11-27')
    expect(set).toHaveLength(5)
    expect(set.slice(0, 3)).toEqual(['q01', 'q02', 'q03'])
    const seen = new Set(cards.map((c) => c.questionId))
    expect(set.slice(3).every((id) => !seen.has(id))).toBe(true)
    expect(pickDailySet({ questionIds: ids, cards, wrongBook: [] }, '2026-11-27')).toEqual(set)
    expect(pickDailySet({ questionIds: ids, cards, wrongBook: [] }, '2026-11-28').slice(3)).not.toEqual(set.slice(3))
  })

  it('reviews questions from the wrong-answer book first, and fills up with reviews, then soonest-due cards, when nothing new is left', () => {
    const few = ['a', 'b', 'c', 'd', 'e', 'f']
    const cards = [card('a', 1, '2026-11-20'), card('b', 2, '2026-11-21'), card('c', 2, '2026-11-22'), card('d', 4, '2026-11-23'), card('e', 5, '2026-12-09'), card('gone', 1, '2026-11-01')]
    const set = pickDailySet({ questionIds: few, cards, wrongBook: ['f'] }, '2026-11-27')
    expect(set).toEqual(['f', 'a', 'b', 'c', 'd'])
    expect(pickDailySet({ questionIds: few, cards, wrongBook: [] }, '2026-11-27')).toEqual(['a', 'b', 'c', 'f', 'd'])
    expect(pickDailySet({ questionIds: ['e'], cards, wrongBook: [] }, '2026-11-27')).toEqual(['e'])
  })
})

const question = (id: string): Question => ({
  id,
  bankId: 'bank',
  type: 'truefalse',
  stem: `题目 ${id}`,
  options: [],
  answer: ['true'],
  explanation: '',
  source: { kind: 'lesson', id: 'l1' },
  tags: [],
})

describe('daily practice on the phone', () => {
  beforeEach(async () => {
    await Promise.all([db.questions.clear(), db.practiceCards.clear(), db.practiceDays.clear(), db.wrongAnswers.clear()])
    await db.questions.bulkPut(Array.from({ length: 12 }, (_, i) => question(`q${i}`)))
  })

  async function practise(now: number, wrong: (id: string, i: number) => boolean = () => false) {
    const day = await practiceDb.today(now)
    for (const [i, id] of day.questionIds.entries()) await practiceDb.answer(day.day, id, [wrong(id, i) ? 'false' : 'true'], !wrong(id, i), now)
    return day
  }

  it('keeps the day’s set through a reload, counts the streak once per day, and puts a wrong answer in the book', async () => {
    const first = await practiceDb.today(at(2026, 11, 27, 8))
    expect(first.questionIds).toHaveLength(5)
    expect((await practiceDb.today(at(2026, 11, 27, 20))).questionIds).toEqual(first.questionIds)

    const day1 = await practise(at(2026, 11, 27, 8), (_, i) => i === 0)
    const missed = day1.questionIds[0]!
    expect(await db.wrongAnswers.get(missed)).toMatchObject({ wrongDay: '2026-11-27' })
    expect(await db.practiceCards.get(missed)).toMatchObject({ box: 1, dueDay: '2026-11-28' })
    // A second answer to the same question changes nothing.
    await practiceDb.answer('2026-11-27', missed, ['true'], true, at(2026, 11, 27, 9))
    expect(await db.practiceCards.get(missed)).toMatchObject({ box: 1 })
    expect(await practiceDb.summary(at(2026, 11, 27, 21))).toEqual({ days: 1, doneToday: true, total: 5, answered: 5 })

    const day2 = await practise(at(2026, 11, 28, 7))
    expect(day2.questionIds[0]).toBe(missed)
    expect(await practiceDb.summary(at(2026, 11, 28, 8))).toMatchObject({ days: 2, doneToday: true })
  })

  it('does not lose the streak or open another day when the clock is set back', async () => {
    await practise(at(2026, 11, 27))
    await practise(at(2026, 11, 28))
    // A flat battery: the phone thinks it is 2000.
    const back = at(2000, 1, 1)
    expect((await practiceDb.today(back)).day).toBe('2026-11-28')
    expect(await practiceDb.summary(back)).toMatchObject({ days: 2, doneToday: true })
    expect(await db.practiceDays.count()).toBe(2)
    // The clock put right the next day: the streak goes on.
    await practise(at(2026, 11, 29))
    expect(await practiceDb.summary(at(2026, 11, 29, 22))).toMatchObject({ days: 3, doneToday: true })
  })

  it('draws nothing and stores nothing while the phone has no questions', async () => {
    await db.questions.clear()
    expect((await practiceDb.today(at(2026, 11, 27))).questionIds).toEqual([])
    expect(await db.practiceDays.count()).toBe(0)
  })
})
