/**
 * A rating on the phone: kept and queued in one transaction (shown as rated offline, survives a
 * reload), rating again replaces it locally and queues the newer one; a rating outside 1–5 or a
 * comment over 500 characters never reaches the outbox.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { db, PocketDb } from '@/db/db.ts'
import { evaluationDb } from '@/features/evaluation/evaluation.db.ts'

describe('rating a course or a meeting on the phone', () => {
  beforeEach(async () => {
    await Promise.all([db.evaluations.clear(), db.outbox.clear()])
  })

  it('keeps the rating and queues it together; a second rating replaces the first', async () => {
    await evaluationDb.rate({ target: 'meeting', targetId: 'm1', content: 4, usefulness: 5, lecturer: 3, comment: '  很好 ' })
    const again = await evaluationDb.rate({ target: 'meeting', targetId: 'm1', content: 2, usefulness: 2, lecturer: 2, comment: '' })

    const reloaded = new PocketDb()
    const rows = await reloaded.evaluations.toArray()
    reloaded.close()
    expect(rows).toEqual([expect.objectContaining({ key: 'meeting:m1', content: 2, evaluationId: again.evaluationId })])
    const outbox = await db.outbox.toArray()
    expect(outbox.map((r) => r.kind)).toEqual(['evaluation', 'evaluation'])
    expect(outbox[0]!.payload).toMatchObject({ target: 'meeting', targetId: 'm1', content: 4, lecturer: 3, comment: '很好' })
    expect(outbox[1]!.payload).toMatchObject({ evaluationId: again.evaluationId, content: 2 })
  })

  it('refuses a rating of 0 or 6 and a comment over 500 characters, queuing nothing', async () => {
    await expect(evaluationDb.rate({ target: 'course', targetId: 'c1', content: 0, usefulness: 3, comment: '' })).rejects.toThrow('evaluation.needStars')
    await expect(evaluationDb.rate({ target: 'course', targetId: 'c1', content: 3, usefulness: 6, comment: '' })).rejects.toThrow('evaluation.needStars')
    await expect(evaluationDb.rate({ target: 'course', targetId: 'c1', content: 3, usefulness: 3, comment: '长'.repeat(501) })).rejects.toThrow('evaluation.commentTooLong')
    expect(await db.outbox.count()).toBe(0)
    expect(await evaluationDb.mine('course', 'c1')).toBeUndefined()
  })
})
