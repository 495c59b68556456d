import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { PocketDb, SCHEMA_V1 } from '@/db/db.ts'
import { enqueue, loadDeviceId, onEnqueued, requeueDeadLetter } from '@/features/sync/outbox.db.ts'
import { drain } from '@/features/sync/pushCore.ts'
import { uuidv7, uuidv7Time } from '@/features/sync/uuidv7.ts'
import { FakePushServer } from './support/fakeServer.ts'
import { freshDb, signInAs, studyPayload } from './support/client.ts'

describe('outbox', () => {
  it('commits the record with the write it belongs to, or neither', async () => {
    const db = freshDb()
    await db.transaction('rw', [db.meta, db.outbox], async () => {
      await db.meta.put({ key: 'local-effect', value: 1 })
      await enqueue(db, 'study_event', studyPayload())
    })
    expect(await db.outbox.count()).toBe(1)

    await expect(
      db.transaction('rw', [db.meta, db.outbox], async () => {
        await db.meta.put({ key: 'local-effect', value: 2 })
        await enqueue(db, 'study_event', studyPayload())
        throw new Error('the write failed after enqueue')
      }),
    ).rejects.toThrow('the write failed')
    expect(await db.outbox.count()).toBe(1)
    expect((await db.meta.get('local-effect'))?.value).toBe(1)
    await db.delete()
  })

  it('refuses to enqueue inside a transaction that does not include the outbox', async () => {
    const db = freshDb()
    await expect(db.transaction('rw', [db.meta], () => enqueue(db, 'study_event', studyPayload()))).rejects.toThrow()
    await db.delete()
  })

  it('tells the push engine only after the transaction committed', async () => {
    const db = freshDb()
    const seen: number[] = []
    const off = onEnqueued(() => seen.push(1))
    await db.transaction('rw', [db.outbox], async () => {
      await enqueue(db, 'study_event', studyPayload())
      expect(seen).toEqual([])
    })
    expect(seen).toEqual([1])
    off()
    await db.delete()
  })

  it('stores a plain copy of the payload, not the caller’s object', async () => {
    const db = freshDb()
    const payload = studyPayload(10)
    const id = await enqueue(db, 'study_event', payload)
    payload.seconds = 99
    expect((await db.outbox.where('id').equals(id).first())!.payload).toMatchObject({ seconds: 10 })
    await db.delete()
  })

  it('keeps one device id, even when two tabs ask at once', async () => {
    const name = `device-${Date.now()}`
    const a = new PocketDb(name)
    const b = new PocketDb(name)
    const [x, y] = await Promise.all([loadDeviceId(a), loadDeviceId(b)])
    expect(x).toBe(y)
    await a.delete()
  })

  it('requeues a corrected refused record under a new id that replaces the old one, once', async () => {
    const db = freshDb()
    await db.deadLetter.add({ id: uuidv7(), kind: 'study_event', payload: studyPayload(999_999), createdAt: 1, deviceId: 'd', attempts: 3, code: 'INVALID_PAYLOAD', message: 'x', movedAt: 2 })
    const [dead] = await db.deadLetter.toArray()
    const fresh = await requeueDeadLetter(db, dead!.id, studyPayload(600))
    // A second tap (or a second tab) queues nothing more.
    expect(await requeueDeadLetter(db, dead!.id, studyPayload(600))).toBeUndefined()
    const [back, ...more] = await db.outbox.toArray()
    expect(more).toEqual([])
    expect(back).toMatchObject({ id: fresh, replaces: dead!.id, createdAt: 1, payload: { seconds: 600 }, attempts: 0 })
    expect(back!.id).not.toBe(dead!.id)
    expect(await db.deadLetter.get(dead!.id)).toMatchObject({ correctedBy: fresh, correction: 'waiting' })
    await db.delete()
  })
})

describe('uuidv7', () => {
  it('makes RFC 9562 version-7 ids that sort in the order they were made', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000))
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(uuidv7Time(uuidv7(1_800_000_000_000))).toBeGreaterThanOrEqual(1_800_000_000_000)
  })
})

describe('outbox across a Dexie schema upgrade', () => {
  it('keeps records made under schema version 1 and syncs them after opening the latest version', async () => {
    const name = `upgrade-${Date.now()}`
    // A phone still on the first release: only version 1 exists.
    const v1 = new Dexie(name)
    v1.version(1).stores(SCHEMA_V1)
    await v1.open()
    const oldIds = [uuidv7(), uuidv7(), uuidv7()]
    await v1.table('outbox').bulkAdd(
      oldIds.map((id, i) => ({ id, kind: 'study_event', payload: studyPayload(60 + i), createdAt: Date.now(), deviceId: 'old-device', attempts: 2, lastError: 'NETWORK' })),
    )
    await v1.table('deadLetter').add({ id: uuidv7(), kind: 'study_event', payload: studyPayload(), createdAt: 1, deviceId: 'old-device', attempts: 1, code: 'FORBIDDEN', message: 'no', movedAt: 1 })
    v1.close()

    // The app updates: the latest schema opens the same database and upgrades it.
    const db = new PocketDb(name)
    await db.open()
    expect(db.verno).toBeGreaterThan(1)
    expect((await db.outbox.toArray()).map((r) => r.id)).toEqual(oldIds)
    expect(await db.deadLetter.count()).toBe(1)
    const newId = await enqueue(db, 'study_event', studyPayload())

    await signInAs(db)
    const server = new FakePushServer()
    expect(await drain({ db, fetch: server.fetch })).toMatchObject({ type: 'done', applied: 4 })
    expect([...server.stored.keys()]).toEqual([...oldIds, newId])
    expect(server.stored.get(oldIds[0]!)!.deviceId).toBe('old-device')
    expect(await db.outbox.count()).toBe(0)
    await db.delete()
  })
})
