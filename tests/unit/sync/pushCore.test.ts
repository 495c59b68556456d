import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PocketDb } from '@/db/db.ts'
import { currentOffset } from '@/features/sync/clock.ts'
import { enqueue, setOutboxOwner } from '@/features/sync/outbox.db.ts'
import { drain, pushBatch, SYNC_STATE_KEY } from '@/features/sync/pushCore.ts'
import { FakePushServer } from './support/fakeServer.ts'
import { enqueueMany, freshDb, signInAs, studyPayload } from './support/client.ts'

describe('push core', () => {
  let db: PocketDb
  let server: FakePushServer
  beforeEach(async () => {
    db = freshDb()
    server = new FakePushServer()
    await signInAs(db)
    setOutboxOwner(undefined)
  })
  afterEach(() => db.delete())

  const env = () => ({ db, fetch: server.fetch })

  it('sends the outbox oldest first and empties it once the server answered', async () => {
    const ids = await enqueueMany(db, 5)
    const result = await drain(env())
    expect(result).toEqual({ type: 'done', applied: 5, duplicate: 0, rejected: 0 })
    expect([...server.stored.keys()]).toEqual(ids)
    expect(await db.outbox.count()).toBe(0)
    expect(((await db.meta.get(SYNC_STATE_KEY))?.value as { lastSyncedAt: number }).lastSyncedAt).toBeGreaterThan(0)
  })

  it('tells the server how many records were waiting and which device sent them', async () => {
    await enqueueMany(db, 3)
    await drain(env())
    expect(server.lastOutboxCount).toBe(3)
    const [record] = [...server.stored.values()]
    expect(record!.deviceId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('moves a refused record to the dead-letter table with the reason, and sends the rest', async () => {
    await enqueueMany(db, 2)
    const bad = await enqueue(db, 'study_event', studyPayload(999_999))
    await enqueueMany(db, 2)
    const result = await drain(env())
    expect(result).toMatchObject({ type: 'done', applied: 4, rejected: 1 })
    expect(await db.outbox.count()).toBe(0)
    const dead = await db.deadLetter.get(bad)
    expect(dead).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'payload.seconds', kind: 'study_event' })
    expect(dead!.message).toContain('86400')
  })

  it('keeps every record through a network failure and counts the attempt', async () => {
    await enqueueMany(db, 3)
    server.online = false
    expect(await drain(env())).toEqual({ type: 'retry', reason: 'network' })
    const rows = await db.outbox.toArray()
    expect(rows.map((r) => [r.attempts, r.lastError])).toEqual([[1, 'NETWORK'], [1, 'NETWORK'], [1, 'NETWORK']])
    server.online = true
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 3 })
  })

  it('answers duplicate after a lost response, so a resend stores nothing twice', async () => {
    await enqueueMany(db, 4)
    server.faults.push('dropResponse')
    expect((await drain(env())).type).toBe('retry')
    expect(await db.outbox.count()).toBe(4)
    expect(await drain(env())).toEqual({ type: 'done', applied: 0, duplicate: 4, rejected: 0 })
    expect([...server.applied.values()]).toEqual([1, 1, 1, 1])
  })

  it('honours Retry-After on 429 and retries on 500 without losing anything', async () => {
    await enqueueMany(db, 2)
    server.faults.push('status429')
    expect(await drain(env())).toMatchObject({ type: 'retry', reason: 'rateLimited', retryAfterMs: 7000 })
    server.faults.push('status500')
    expect(await drain(env())).toMatchObject({ type: 'retry', reason: 'server', status: 500 })
    expect(await db.outbox.count()).toBe(2)
  })

  it('treats a Wi-Fi login page answering 200 as no answer', async () => {
    await enqueueMany(db, 2)
    server.faults.push('captivePortal')
    expect(await drain(env())).toEqual({ type: 'retry', reason: 'network' })
    expect(await db.outbox.count()).toBe(2)
  })

  it('asks for sign-in on 401 and keeps the outbox; goes on with a fresh session', async () => {
    await enqueueMany(db, 2)
    server.tokens.clear()
    expect(await drain(env())).toEqual({ type: 'needsSignIn' })
    expect(await db.outbox.count()).toBe(2)
    server.tokens.set('tok2', 'p1')
    await signInAs(db, 'tok2')
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 2 })
  })

  it('retries once at once when another tab signed in again during the 401', async () => {
    await enqueueMany(db, 1)
    server.tokens.set('tok2', 'p1')
    server.faults.push('status401')
    const origFetch = server.fetch
    let swapped = false
    const fetch = async (url: string, init: RequestInit) => {
      const res = await origFetch(url, init)
      if (res.status === 401 && !swapped) {
        swapped = true
        await signInAs(db, 'tok2')
      }
      return res
    }
    expect(await drain({ db, fetch })).toMatchObject({ type: 'done', applied: 1 })
  })

  it('sends nothing while signed out', async () => {
    await enqueueMany(db, 1)
    await db.meta.delete('session')
    expect(await drain(env())).toEqual({ type: 'signedOut' })
    expect(server.requests).toBe(0)
  })

  it('keeps records made by another person until that person signs in', async () => {
    setOutboxOwner('p2')
    await enqueueMany(db, 2)
    setOutboxOwner('p1')
    const mine = await enqueueMany(db, 1)
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 1 })
    expect([...server.stored.keys()]).toEqual(mine)
    expect(await db.outbox.count()).toBe(2)
    server.tokens.set('tok-p2', 'p2')
    await signInAs(db, 'tok-p2', 'p2')
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 2 })
    expect([...server.stored.values()].filter((r) => r.personId === 'p2')).toHaveLength(2)
  })

  it('splits a large outbox into batches of at most 500 records and 256 KiB', async () => {
    const sizes: number[] = []
    const counts: number[] = []
    const fetch = async (url: string, init: RequestInit) => {
      sizes.push(new TextEncoder().encode(String(init.body)).length)
      counts.push(JSON.parse(String(init.body)).records.length)
      return server.fetch(url, init)
    }
    await db.outbox.bulkAdd(
      Array.from({ length: 1200 }, (_, i) => ({
        id: `0190a3c4-0000-7000-8000-${String(i).padStart(12, '0')}`,
        kind: 'study_event',
        payload: { ...studyPayload(), lessonId: i % 3 === 0 ? '课'.repeat(60) : 'l' },
        createdAt: Date.now(),
        deviceId: 'd',
        attempts: 0,
      })),
    )
    expect(await drain({ db, fetch })).toMatchObject({ type: 'done', applied: 1200 })
    expect(Math.max(...counts)).toBeLessThanOrEqual(500)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1200)
  })

  it('halves the batch after a 413 and still sends everything', async () => {
    await db.outbox.bulkAdd(
      Array.from({ length: 400 }, (_, i) => ({
        id: `0190a3c4-0000-7000-8000-${String(i).padStart(12, '0')}`,
        kind: 'study_event',
        payload: { ...studyPayload(), lessonId: 'l'.repeat(800) },
        createdAt: Date.now(),
        deviceId: 'd',
        attempts: 0,
      })),
    )
    // A client that believes the limit is larger than the server's (an older server, a proxy).
    const statuses: number[] = []
    const fetch = async (url: string, init: RequestInit) => {
      const res = await server.fetch(url, init)
      statuses.push(res.status)
      return res
    }
    const result = await drain({ db, fetch, limits: { maxRecords: 500, maxBytes: 10 * 1024 * 1024 } })
    expect(result).toMatchObject({ type: 'done', applied: 400 })
    expect(statuses[0]).toBe(413)
    expect(statuses.slice(1).every((s) => s === 200)).toBe(true)
    expect(await db.outbox.count()).toBe(0)
  })

  it('sets aside a record that makes the server refuse the whole batch, and sends the rest', async () => {
    const good = await enqueueMany(db, 2)
    await db.outbox.add({ id: 'NOT-A-UUID', kind: 'study_event', payload: studyPayload(), createdAt: 1, deviceId: 'd', attempts: 0 })
    good.push(...(await enqueueMany(db, 2)))
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 4, rejected: 1 })
    expect([...server.stored.keys()]).toEqual(good)
    expect(await db.deadLetter.get('NOT-A-UUID')).toMatchObject({ code: 'INVALID_RECORD' })
  })

  it('moves a record too large for any batch to the dead-letter table instead of blocking the queue', async () => {
    await db.outbox.add({ id: '0190a3c4-0000-7000-8000-000000000001', kind: 'study_event', payload: { blob: 'x'.repeat(300_000) }, createdAt: 1, deviceId: 'd', attempts: 0 })
    await enqueueMany(db, 1)
    expect(await drain(env())).toMatchObject({ type: 'done', applied: 1, rejected: 1 })
    expect((await db.deadLetter.toArray())[0]!.code).toBe('TOO_LARGE')
  })

  it('gives up on a request that hangs, so it cannot hold the push lock for ever', async () => {
    await enqueueMany(db, 1)
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
    expect(await drain({ db, fetch: hang, timeoutMs: 50 })).toEqual({ type: 'retry', reason: 'network' })
    expect(await db.outbox.count()).toBe(1)
  })

  it('learns the server clock offset from the Date header', async () => {
    server.clockSkewMs = 3 * 3600_000
    await enqueueMany(db, 1)
    await pushBatch(env())
    expect(Math.abs(currentOffset() - 3 * 3600_000)).toBeLessThan(2000)
    expect(((await db.meta.get('clockOffset'))?.value as { offsetMs: number }).offsetMs).toBeGreaterThan(3 * 3600_000 - 2000)
  })
})
