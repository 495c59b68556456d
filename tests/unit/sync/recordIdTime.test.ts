import { describe, expect, it } from 'vitest'
import { learnOffset } from '@/features/sync/clock.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { uuidv7Time } from '@/features/sync/uuidv7.ts'
import { freshDb, studyPayload } from './support/client.ts'

const YEAR = 365 * 24 * 3600 * 1000

// Its own file: the id maker never goes back in time, so a year-ahead id would shift later tests' ids.
describe('record ids on a phone whose clock is wrong', () => {
  it('makes the id at the server-corrected time, so the server does not judge the record a year old', async () => {
    const db = freshDb()
    await learnOffset(db, YEAR) // the phone's clock is a year behind the server's
    const id = await db.transaction('rw', [db.outbox], () => enqueue(db, 'study_event', studyPayload()))
    const record = (await db.outbox.where('id').equals(id).first())!
    expect(uuidv7Time(id)).toBe(record.correctedAt)
    expect(Math.abs(uuidv7Time(id) - (Date.now() + YEAR))).toBeLessThan(60_000)
    await learnOffset(db, 0)
    await db.delete()
  })
})
