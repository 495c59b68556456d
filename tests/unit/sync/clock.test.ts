/**
 * Wrong phone clocks: once the offset to the server is learned from a Date header, every new
 * record carries the corrected time beside the raw one, and screens show the corrected time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PocketDb } from '@/db/db.ts'
import { learnOffset, recordTime } from '@/features/sync/clock.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import { drain } from '@/features/sync/pushCore.ts'
import { FakePushServer } from './support/fakeServer.ts'
import { enqueueMany, freshDb, signInAs, studyPayload } from './support/client.ts'

const DAY = 24 * 3600_000

describe('corrected time of records', () => {
  let db: PocketDb
  let server: FakePushServer
  beforeEach(async () => {
    db = freshDb()
    server = new FakePushServer()
    await signInAs(db)
  })
  afterEach(async () => {
    await learnOffset(db, 0)
    await db.delete()
  })

  // Runs first: the offset is module state, learned by the tests below.
  it('stamps no corrected time before any offset is known', async () => {
    const id = await enqueue(db, 'study_event', studyPayload())
    const record = (await db.outbox.where('id').equals(id).first())!
    expect(record.correctedAt).toBeUndefined()
  })

  for (const [name, serverAhead] of [
    ['a day slow', DAY],
    ['a year fast', -365 * DAY],
  ] as const) {
    it(`stamps and sends the server-corrected time when the phone clock is ${name}`, async () => {
      server.clockSkewMs = serverAhead
      // The first push teaches the phone the offset from the server's Date header.
      await enqueueMany(db, 1)
      await drain({ db, fetch: server.fetch })

      const id = await enqueue(db, 'study_event', studyPayload())
      const record = (await db.outbox.where('id').equals(id).first())!
      const realNow = Date.now() + serverAhead
      expect(Math.abs(record.createdAt - Date.now())).toBeLessThan(2000)
      expect(Math.abs(record.correctedAt! - realNow)).toBeLessThan(2000)
      // The screen shows the corrected time of the member's own record.
      expect(Math.abs(recordTime(record) - realNow)).toBeLessThan(2000)

      await drain({ db, fetch: server.fetch })
      const sent = server.stored.get(id)!
      expect(sent.createdAt).toBe(record.createdAt)
      expect(sent.correctedAt).toBe(record.correctedAt)
    })
  }

})
