/**
 * Wrong phone clocks: once the offset to the server is learned from a Date header, every new
 * record carries the corrected time beside the raw one, and screens show the corrected time.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { learnOffset, recordTime } from '@/features/sync/clock.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { drain } from '@/features/sync/pushCore.ts'
import { enqueueMany, studyPayload, usePhoneAndServer } from './support/client.ts'

const DAY = 24 * 3600_000

describe('corrected time of records', () => {
  const phone = usePhoneAndServer()
  // The offset is module state: leave it as the next file expects.
  afterEach(() => learnOffset(phone.db, 0))

  // Runs first: the offset is module state, learned by the tests below.
  it('stamps no corrected time before any offset is known', async () => {
    const id = await enqueue(phone.db, 'study_event', studyPayload())
    const record = (await phone.db.outbox.where('id').equals(id).first())!
    expect(record.correctedAt).toBeUndefined()
  })

  for (const [name, serverAhead] of [
    ['a day slow', DAY],
    ['a year fast', -365 * DAY],
  ] as const) {
    it(`stamps and sends the server-corrected time when the phone clock is ${name}`, async () => {
      phone.server.clockSkewMs = serverAhead
      // The first push teaches the phone the offset from the phone.server's Date header.
      await enqueueMany(phone.db, 1)
      await drain({ db: phone.db, fetch: phone.server.fetch })

      const id = await enqueue(phone.db, 'study_event', studyPayload())
      const record = (await phone.db.outbox.where('id').equals(id).first())!
      const realNow = Date.now() + serverAhead
      expect(Math.abs(record.createdAt - Date.now())).toBeLessThan(2000)
      expect(Math.abs(record.correctedAt! - realNow)).toBeLessThan(2000)
      // The screen shows the corrected time of the member's own record.
      expect(Math.abs(recordTime(record) - realNow)).toBeLessThan(2000)

      await drain({ db: phone.db, fetch: phone.server.fetch })
      const sent = phone.server.stored.get(id)!
      expect(sent.createdAt).toBe(record.createdAt)
      expect(sent.correctedAt).toBe(record.correctedAt)
    })
  }

})
