import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { PUSH_MAX_BYTES, type StudyEventPayload } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { studyRecord } from './pushSupport.ts'

const MEMBER = DEMO_LOGINS[0].phone
const OTHER = DEMO_LOGINS[1].phone

describe.each(DIALECTS)('push sync on %s', (dialect) => {
  let ctx: TestContext
  let member: { authorization: string }
  let memberId: string
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    member = await signIn(ctx.app, MEMBER)
    memberId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: member })).json().id
  })
  afterAll(() => ctx.close())

  const push = (records: unknown, headers = member, extra: Record<string, unknown> = {}) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers,
      payload: { deviceId: 'device-a', outboxCount: Array.isArray(records) ? records.length : 0, records, ...extra },
    })
  const stored = async (ids: string[]) =>
    ctx.testDb.db.selectFrom('study_event').selectAll().where('id', 'in', ids).execute()
  const countAll = async () => {
    const a = await ctx.testDb.db.selectFrom('applied_record').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const s = await ctx.testDb.db.selectFrom('study_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return { applied: Number(a.n), events: Number(s.n) }
  }

  it('applies new records, answers per record and stamps the person and time from the server', async () => {
    const records = [studyRecord(), studyRecord({ kind: 'completed', seconds: 0 })]
    const before = Date.now()
    const res = await push(records)
    expect(res.statusCode).toBe(200)
    expect(res.json().results).toEqual(records.map((r) => ({ id: r.id, status: 'applied' })))
    expect(res.headers.date).toBeDefined()
    const rows = await stored(records.map((r) => r.id))
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.person_id).toBe(memberId)
      expect(Number(row.received_at)).toBeGreaterThanOrEqual(before)
    }
  })

  it('answers duplicate for a replayed batch and stores each record once', async () => {
    const records = [studyRecord(), studyRecord()]
    expect((await push(records)).json().results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied'])
    const before = await countAll()
    const again = await push([...records, records[0]])
    expect(again.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate'])
    expect(await countAll()).toEqual(before)
  })

  it('counts an id repeated inside one new batch once', async () => {
    const r = studyRecord()
    const res = await push([r, r])
    expect(res.json().results.map((x: { status: string }) => x.status)).toEqual(['applied', 'duplicate'])
    expect(await stored([r.id])).toHaveLength(1)
  })

  it('rejects only the bad records of a batch and applies the rest', async () => {
    const good = [studyRecord(), studyRecord()]
    const badSeconds = studyRecord({ seconds: -5 })
    const unknownKind = { ...studyRecord(), kind: 'launch_rocket' }
    const personSmuggled = studyRecord({}, { payload: { lessonId: 'l', courseId: 'c', kind: 'opened', seconds: 1, personId: 'x' } })
    const notAnObject = studyRecord({}, { payload: 'hello' })
    const res = await push([good[0], badSeconds, unknownKind, personSmuggled, notAnObject, good[1]])
    expect(res.statusCode).toBe(200)
    const results = res.json().results
    expect(results.map((r: { status: string }) => r.status)).toEqual(['applied', 'rejected', 'rejected', 'rejected', 'rejected', 'applied'])
    expect(results[1]).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'payload.seconds' })
    expect(results[2]).toMatchObject({ code: 'UNKNOWN_KIND' })
    expect(results[3]).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'payload.personId' })
    expect(results[4]).toMatchObject({ code: 'INVALID_PAYLOAD' })
    expect(typeof results[1].message).toBe('string')
    expect(await stored([...good, badSeconds, unknownKind, personSmuggled, notAnObject].map((r) => r.id))).toHaveLength(2)
  })

  it('keeps a refusal with its id: a fix goes out under a new id that names the refused one', async () => {
    const bad = studyRecord({ seconds: 999_999 })
    const refusal = (await push([bad])).json().results[0]
    expect(refusal.status).toBe('rejected')
    // The same id again, even "fixed", is the same record: it gets the same answer.
    const sameId = { ...bad, payload: { ...(bad.payload as StudyEventPayload), seconds: 3600 } }
    expect((await push([sameId])).json().results[0]).toEqual(refusal)
    const fixed = { ...sameId, id: studyRecord().id, replaces: bad.id }
    expect((await push([fixed])).json().results[0].status).toBe('applied')
    expect(await stored([bad.id, fixed.id])).toHaveLength(1)
  })

  it.each([
    ['no deviceId', { deviceId: undefined }],
    ['records not an array', { records: 'x' }],
    ['empty batch', { records: [] }],
    ['an id that is not a UUIDv7', { records: [{ ...studyRecord(), id: 'not-a-uuid' }] }],
    ['a record without createdAt', { records: [{ ...studyRecord(), createdAt: undefined }] }],
    ['an unknown envelope field', { role: 'admin' }],
    ['more than 500 records', { records: Array.from({ length: 501 }, () => studyRecord()) }],
  ])('answers 400 to a malformed envelope (%s) and writes nothing', async (_name, override) => {
    const before = await countAll()
    const body: Record<string, unknown> = { deviceId: 'd', outboxCount: 1, records: [studyRecord()], ...override }
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k]
    const records = body.records as Record<string, unknown>[] | string
    if (Array.isArray(records)) for (const r of records) for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k]
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: body })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('VALIDATION')
    expect(await countAll()).toEqual(before)
  })

  it('names the record at fault in a malformed envelope, so a client can set that one aside', async () => {
    const res = await push([studyRecord(), { ...studyRecord(), id: 'NOT-A-UUID' }])
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('body.records.1.id')
  })

  it('answers 413 to a body over 256 KiB and writes nothing', async () => {
    const before = await countAll()
    const records = Array.from({ length: 300 }, () => studyRecord({ lessonId: 'x'.repeat(64), courseId: 'y'.repeat(64) }))
    const pad = 'p'.repeat(PUSH_MAX_BYTES)
    const res = await push(records, member, { deviceId: pad.slice(0, 64), padding: pad })
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE')
    expect(await countAll()).toEqual(before)
  })

  it('needs a signed-in person', async () => {
    const res = await push([studyRecord()], { authorization: 'Bearer nope' })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('UNAUTHENTICATED')
  })

  it('refuses an id another person already used instead of confirming it', async () => {
    const r = studyRecord()
    expect((await push([r])).json().results[0].status).toBe('applied')
    const other = await signIn(ctx.app, OTHER)
    const res = await push([r], other)
    expect(res.json().results[0]).toMatchObject({ status: 'rejected', code: 'ID_TAKEN' })
    const rows = await stored([r.id])
    expect(rows.map((x) => x.person_id)).toEqual([memberId])
  })

  it('keeps the device clock as data even when it is years off, and never stores a time after the server’s', async () => {
    const slow = studyRecord({}, { createdAt: Date.UTC(2021, 0, 1) })
    const fast = studyRecord({}, { createdAt: Date.UTC(2090, 0, 1) })
    await push([slow, fast])
    const raw = await ctx.testDb.db.selectFrom('applied_record').select(['id', 'created_at']).where('id', 'in', [slow.id, fast.id]).execute()
    expect(new Map(raw.map((r) => [r.id, Number(r.created_at)]))).toEqual(new Map([[slow.id, Date.UTC(2021, 0, 1)], [fast.id, Date.UTC(2090, 0, 1)]]))
    const rows = new Map((await stored([slow.id, fast.id])).map((r) => [r.id, r]))
    expect(Number(rows.get(slow.id)!.created_at)).toBe(Date.UTC(2021, 0, 1))
    expect(Number(rows.get(fast.id)!.created_at)).toBe(Number(rows.get(fast.id)!.received_at))
  })

  it('remembers how many records the device still had waiting', async () => {
    await push([studyRecord()], member, { deviceId: 'device-z', outboxCount: 42 })
    const row = await ctx.testDb.db
      .selectFrom('sync_device')
      .selectAll()
      .where('device_id', '=', 'device-z')
      .where('person_id', '=', memberId)
      .executeTakeFirstOrThrow()
    expect(row.outbox_count).toBe(42)
  })
})
