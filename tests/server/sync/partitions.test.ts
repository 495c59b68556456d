/**
 * Event tables partitioned by month of the record id (PostgreSQL) and the ledger's retention
 * (both dialects): exactly-once holds across months, for a month without a partition, and after
 * the ledger forgets old ids, because it only forgets ids that are refused as TOO_OLD.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MONTHS_AHEAD, PARTITIONED, ensurePartitions, monthStart, partitionsOf } from '../../../server/db/partitions.ts'
import { archivePartitions } from '../../../server/db/archivePartitions.ts'
import { DEFAULT_LEDGER_MAX_AGE_DAYS, purgeLedger } from '../../../server/features/sync/ledgerRetention.ts'
import { applyPushBatch } from '../../../server/features/sync/push.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { idMadeAt, studyRecordAt } from './pushSupport.ts'

const DAY = 24 * 3600 * 1000
const MAX_AGE = DEFAULT_LEDGER_MAX_AGE_DAYS
const LEDGER = PARTITIONED.filter((p) => p.table === 'applied_record')

describe.each(DIALECTS)('partitions and ledger retention on %s', (dialect) => {
  let ctx: TestContext
  let member: { authorization: string }
  let memberId: string
  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    member = await signIn(ctx.app, DEMO_LOGINS[0].phone)
    memberId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: member })).json().id
  })
  afterAll(() => ctx.close())

  const db = () => ctx.testDb.db
  const push = async (records: PushRecord[]) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: member, payload: { deviceId: 'device-a', records } })
    expect(res.statusCode).toBe(200)
    return res.json().results as { id: string; status: string; code?: string; message?: string }[]
  }
  const count = async (table: 'study_event' | 'applied_record', ids: string[]) =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).executeTakeFirstOrThrow()).n)
  /** The partition a row sits in (PostgreSQL), by its id. */
  const partitionOf = async (table: string, id: string) =>
    (await sql<{ p: string }>`select tableoid::regclass::text as p from ${sql.table(table)} where id = ${id}`.execute(db())).rows[0]?.p

  it('applies records on both sides of a month boundary once, and answers their replay duplicate', async () => {
    const boundary = monthStart(Date.now())
    const records = [studyRecordAt(boundary - 1), studyRecordAt(boundary)]
    expect((await push(records)).map((r) => r.status)).toEqual(['applied', 'applied'])
    expect((await push(records)).map((r) => r.status)).toEqual(['duplicate', 'duplicate'])
    const ids = records.map((r) => r.id)
    expect(await count('study_event', ids)).toBe(2)
    expect(await count('applied_record', ids)).toBe(2)
    if (dialect === 'postgres') {
      const [before, after] = [await partitionOf('applied_record', ids[0]!), await partitionOf('applied_record', ids[1]!)]
      expect(before).not.toBe(after)
      expect(after).toMatch(/applied_record_p\d{6}$/)
    }
  })

  it('stores a record for a month with no partition yet, and keeps it exactly-once when the partition is made', async () => {
    const later = monthStart(Date.now(), MONTHS_AHEAD + 2) + 5 * DAY
    const record = studyRecordAt(Date.now())
    const ahead = { ...record, id: idMadeAt(later) } // a phone clock months ahead makes such ids
    expect((await push([ahead])).map((r) => r.status)).toEqual(['applied'])
    if (dialect === 'postgres') {
      expect(await partitionOf('study_event', ahead.id)).toMatch(/study_event_default$/)
      await ensurePartitions(db(), later, later)
      expect(await partitionOf('study_event', ahead.id)).toMatch(/study_event_p\d{6}$/)
      expect(await partitionOf('applied_record', ahead.id)).toMatch(/applied_record_p\d{6}$/)
    }
    expect((await push([ahead])).map((r) => r.status)).toEqual(['duplicate'])
    expect(await count('study_event', [ahead.id])).toBe(1)
  })

  it(`refuses a record made more than ${MAX_AGE} days ago as TOO_OLD and applies nothing`, async () => {
    const old = studyRecordAt(Date.now() - (MAX_AGE + 1) * DAY)
    const [answer] = await push([old])
    expect(answer).toMatchObject({ id: old.id, status: 'rejected', code: 'TOO_OLD' })
    expect(answer!.message).toContain(`${MAX_AGE} days`)
    expect(await count('study_event', [old.id])).toBe(0)
    expect(await count('applied_record', [old.id])).toBe(0)
  })

  it('answers a too-old record the ledger still holds from the ledger: duplicate, not TOO_OLD', async () => {
    const auth = { sessionId: 's', personId: memberId, deviceName: 'test' }
    const now = Date.now()
    const record = studyRecordAt(now - 10 * DAY)
    const first = await applyPushBatch(db(), auth, { deviceId: 'device-a', records: [record] }, now)
    expect(first.map((r) => r.status)).toEqual(['applied'])
    const yearLater = await applyPushBatch(db(), auth, { deviceId: 'device-a', records: [record] }, now + (MAX_AGE - 5) * DAY)
    expect(yearLater.map((r) => r.status)).toEqual(['duplicate'])
  })

  it('forgets ledger ids older than the limit, never a younger one; a forgotten id comes back TOO_OLD', async () => {
    const now = Date.now()
    const limit = now - MAX_AGE * DAY
    const ages = { monthBeforeLimit: monthStart(limit, -1) + DAY, longAgo: now - 900 * DAY, justInside: limit + DAY, recent: now - DAY }
    // PostgreSQL: the month before the limit has its partition; the other old and young ids wait in DEFAULT.
    if (dialect === 'postgres') await ensurePartitions(db(), ages.monthBeforeLimit, ages.monthBeforeLimit, LEDGER)
    const ids = Object.fromEntries(Object.entries(ages).map(([k, ms]) => [k, idMadeAt(ms)])) as Record<keyof typeof ages, string>
    await db()
      .insertInto('applied_record')
      .values(Object.values(ids).map((id) => ({ id, kind: 'study_event', person_id: memberId, device_id: 'd', created_at: now, received_at: now, status: 'applied' as const })))
      .execute()

    const purged = await purgeLedger(db(), dialect, MAX_AGE, now)
    expect(await count('applied_record', [ids.monthBeforeLimit, ids.longAgo])).toBe(0)
    expect(await count('applied_record', [ids.justInside, ids.recent])).toBe(2)
    if (dialect === 'postgres') {
      expect(purged.partitions.length).toBeGreaterThan(0)
      for (const name of purged.partitions) expect(await partitionsOf(db(), 'applied_record')).not.toContain(name)
    }
    const [again] = await push([{ ...studyRecordAt(ages.monthBeforeLimit), id: ids.monthBeforeLimit }])
    expect(again).toMatchObject({ status: 'rejected', code: 'TOO_OLD' })
  })

  it.runIf(dialect === 'postgres')('detaches event partitions of months before the one given, never the ledger, and still takes records', async () => {
    const now = Date.now()
    const old = monthStart(now, -2) + DAY
    await ensurePartitions(db(), old, old)
    const record = studyRecordAt(old)
    expect((await push([record])).map((r) => r.status)).toEqual(['applied'])
    const detached = await archivePartitions(db(), monthStart(now, -1), now)
    expect(detached).toContain((await sql<{ n: string }>`select 'study_event_p' || to_char(to_timestamp(${old / 1000}) at time zone 'UTC', 'YYYYMM') as n`.execute(db())).rows[0]!.n)
    expect(detached.some((n) => n.startsWith('applied_record'))).toBe(false)
    expect(await count('study_event', [record.id])).toBe(0)
    expect(await count('applied_record', [record.id])).toBe(1)
    // A record of that month arriving now lands in DEFAULT: no 500.
    expect((await push([studyRecordAt(old + 1)])).map((r) => r.status)).toEqual(['applied'])
  })
})
