/**
 * One bad record must never block a phone: a record the server cannot handle is found by halving
 * the batch and set aside with a plain reason while the rest go through; a kind the server does
 * not know yet waits in the outbox without blocking anything; a refused record the member
 * corrects goes out under a new id that names the old one.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { enqueue, requeueDeadLetter, setOutboxOwner } from '@/features/sync/outbox.db.ts'
import { drain, type DrainResult, type PushEnv } from '@/features/sync/pushCore.ts'
import { enqueueMany, studyPayload, usePhoneAndServer } from './support/client.ts'

/** What the engine does with its timers: drain again after every stop, up to `max` times. */
async function drainUntilDone(env: PushEnv, max = 40): Promise<DrainResult[]> {
  const results: DrainResult[] = []
  for (let i = 0; i < max; i++) {
    const r = await drain(env)
    results.push(r)
    if (r.type === 'done') break
  }
  return results
}

describe('one bad record never blocks the phone', () => {
  const phone = usePhoneAndServer()
  let env: PushEnv
  beforeEach(() => {
    env = { db: phone.db, fetch: phone.server.fetch }
    setOutboxOwner(undefined)
  })

  it('finds a record that makes the server fail by halving the batch, sets it aside with a plain reason, and sends the rest', async () => {
    const before = await enqueueMany(phone.db, 6)
    const bad = await enqueue(phone.db, 'study_event', { ...studyPayload(), lessonId: 'poison' })
    const after = await enqueueMany(phone.db, 5)
    phone.server.poison = (r) => (r.payload as { lessonId: string }).lessonId === 'poison'

    const results = await drainUntilDone(env)
    expect(results.at(-1)!.type).toBe('done')
    expect([...phone.server.stored.keys()].sort()).toEqual([...before, ...after].sort())
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await phone.db.deadLetter.get(bad)).toMatchObject({ code: 'SERVER_FAILED' })
    // Halving, not one record at a time: a handful of requests, not one per record.
    expect(phone.server.requests).toBeLessThan(16)
  })

  it('refuses nothing while the whole server fails, and sends everything once it is back', async () => {
    const ids = await enqueueMany(phone.db, 8)
    phone.server.down = true
    const results = await drainUntilDone(env, 30)
    expect(results.every((r) => r.type === 'retry')).toBe(true)
    phone.server.down = false
    expect((await drainUntilDone(env)).at(-1)!.type).toBe('done')
    expect(await phone.db.deadLetter.count()).toBe(0)
    expect([...phone.server.stored.keys()].sort()).toEqual([...ids].sort())
  })

  it('does not split a batch when the network fails (that is just the network)', async () => {
    await enqueueMany(phone.db, 6)
    const sizes: number[] = []
    const fetch = async (_url: string, init: RequestInit): Promise<Response> => {
      sizes.push(JSON.parse(String(init.body)).records.length)
      throw new TypeError('Failed to fetch')
    }
    for (let i = 0; i < 8; i++) await drain({ db: phone.db, fetch })
    expect(sizes).toEqual(Array(8).fill(6))
    expect(await phone.db.deadLetter.count()).toBe(0)
  })

  it('keeps a record of a kind the server does not know yet, without blocking the records behind it, and tries it again later', async () => {
    let now = Date.now()
    const timed = { db: phone.db, fetch: phone.server.fetch, now: () => now }
    const first = await enqueueMany(phone.db, 2)
    await phone.db.transaction('rw', phone.db.outbox, () => enqueue(phone.db, 'survey_answer' as 'study_event', studyPayload()))
    const rest = await enqueueMany(phone.db, 2)

    expect(await drain(timed)).toMatchObject({ type: 'done', applied: 4 })
    expect([...phone.server.stored.keys()].sort()).toEqual([...first, ...rest].sort())
    expect(await phone.db.deadLetter.count()).toBe(0)
    expect(await phone.db.outbox.count()).toBe(1)
    // Not sent again at every trigger…
    const requests = phone.server.requests
    await enqueueMany(phone.db, 1)
    await drain(timed)
    expect(phone.server.batchSizes.at(-1)).toBe(1)
    expect(phone.server.requests).toBe(requests + 1)
    // …but again after an hour (the server may have been upgraded meanwhile).
    now += 61 * 60_000
    await drain(timed)
    expect(phone.server.requests).toBe(requests + 2)
    expect(await phone.db.outbox.count()).toBe(1)
  })
})

describe('correcting a refused record', () => {
  const phone = usePhoneAndServer()

  it('sends the correction under a new id that names the refused one, and the refused list shows it was accepted', async () => {
    const old = await enqueue(phone.db, 'study_event', studyPayload(200_000))
    await drain({ db: phone.db, fetch: phone.server.fetch })
    expect(await phone.db.deadLetter.get(old)).toMatchObject({ code: 'INVALID_PAYLOAD' })

    await requeueDeadLetter(phone.db, old, studyPayload(1800))
    const [queued] = await phone.db.outbox.toArray()
    expect(queued!.id).not.toBe(old)
    expect(queued!.replaces).toBe(old)
    expect(await phone.db.deadLetter.get(old)).toMatchObject({ correctedBy: queued!.id })

    expect(await drain({ db: phone.db, fetch: phone.server.fetch })).toMatchObject({ type: 'done', applied: 1 })
    expect(phone.server.stored.get(queued!.id)).toMatchObject({ replaces: old, payload: { seconds: 1800 } })
    expect(phone.server.stored.has(old)).toBe(false)
    expect(await phone.db.deadLetter.get(old)).toMatchObject({ correctedBy: queued!.id, correction: 'accepted' })
  })

  it('shows when the correction was refused too, and keeps the new refusal to fix', async () => {
    const old = await enqueue(phone.db, 'study_event', studyPayload(200_000))
    await drain({ db: phone.db, fetch: phone.server.fetch })
    await requeueDeadLetter(phone.db, old, studyPayload(300_000))
    const [queued] = await phone.db.outbox.toArray()
    await drain({ db: phone.db, fetch: phone.server.fetch })
    expect(await phone.db.deadLetter.get(old)).toMatchObject({ correction: 'refused' })
    expect(await phone.db.deadLetter.get(queued!.id)).toMatchObject({ code: 'INVALID_PAYLOAD', replaces: old })
  })
})
