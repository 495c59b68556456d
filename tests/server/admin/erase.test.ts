import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERASED_NAME } from '../../../server/features/admin/erase.repository.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { meetingPayload, pushRecord as record, studyRecord, TINY_JPEG } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
const PHOTO = TINY_JPEG.toString('base64')
/** What the member and their leader wrote about them: none of it may survive the erasure. */
const PERSONAL = { leave: '住院做膝盖手术', visitNote: '独居，住村东头第三户', reflection: '我在深圳电子厂打工三年了', reply: '谢谢书记关心我的身体', place: '深圳市宝安区福永街道', organisation: '福永电子厂党支部', card: '参加了厂里的主题党日' }

/**
 * A district admin processes a deletion request (PIPL art. 47): the person can no longer sign in,
 * what identifies them is gone, and every figure that counted them still adds up.
 */
describe.each(DIALECTS)('erasing a person on request on %s', (dialect) => {
  let ctx: TestContext
  let admin: Headers
  let leader: Headers
  let member: Headers
  let target: { id: string; name: string; phone: string; org_unit_id: string }
  let meetingId: string

  const db = () => ctx.testDb.db
  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, headers?: Headers, payload?: object) => ctx.app.inject({ method, url, headers, payload })
  const erase = (id: string, headers: Headers) => inject('POST', `/api/v1/admin/people/${id}/erase`, headers)
  const push = async (headers: Headers, records: PushRecord[]) => {
    const res = await inject('POST', '/api/v1/sync/push', headers, { deviceId: 'device-a', outboxCount: records.length, records })
    expect(res.json().results.map((r: { status: string; code?: string; message?: string }) => r.code ?? r.status).join(' ')).toBe(records.map(() => 'applied').join(' '))
  }
  const personRow = (id: string) => db().selectFrom('person').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  /** Every row of every table but the append-only audit log, as one string. */
  async function everything(): Promise<string> {
    // On PostgreSQL every test file has its own schema in one database: read only this one.
    const own = dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db())).rows[0]!.s : undefined
    const tables = (await db().introspection.getTables()).filter((t) => t.schema === own && t.name !== 'audit_log' && !t.name.startsWith('kysely_'))
    expect(tables.length).toBeGreaterThan(30)
    const rows = await Promise.all(tables.map((t) => db().selectFrom((t.schema ? `${t.schema}.${t.name}` : t.name) as 'person').selectAll().execute()))
    return JSON.stringify(rows)
  }
  /** What leaders read about the group and the meeting: erasure must not change a number. */
  async function figures() {
    const get = async (url: string) => {
      const res = await inject('GET', url, admin)
      expect(res.statusCode, url).toBe(200)
      return res.json()
    }
    const branch = ctx.seed.units.find((u) => u.id === target.org_unit_id)!.parent_id!
    const meeting = await get(`/api/v1/attendance/meetings/${meetingId}`)
    return {
      attendees: meeting.attendees.map((a: { personId: string; status: string }) => [a.personId, a.status]),
      report: { ...(await get(`/api/v1/reports/units/${branch}`)), generatedAt: 0 },
      overview: await get(`/api/v1/attendance/overview/meetings?orgUnitId=${branch}`),
      studyEvents: (await db().selectFrom('study_event').select('id').where('person_id', '=', target.id).execute()).length,
    }
  }

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
    // The flowing demo member: they keep a record card, and their leader leads their group.
    target = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[1].phone)!
    member = await signIn(ctx.app, target.phone)
    const groupId = target.org_unit_id

    const meeting = meetingPayload(groupId)
    meetingId = meeting.meetingId
    await push(leader, [
      record('meeting_create', meeting),
      record('attendance_mark', { meetingId, orgUnitId: groupId, marks: [{ personId: target.id, status: 'leave', reason: PERSONAL.leave }] }),
      record('home_visit', { visitId: crypto.randomUUID(), orgUnitId: groupId, personId: target.id, visitedAt: Date.now() - 3_600_000, studied: '党章第一章', note: PERSONAL.visitNote, photo: PHOTO }),
    ])
    const reflectionId = crypto.randomUUID()
    await push(member, [
      studyRecord(),
      record('reflection_post', { reflectionId, orgUnitId: groupId, text: PERSONAL.reflection, photos: [PHOTO] }),
      record('flowing_record', { recordId: crypto.randomUUID(), heldOn: Date.now() - 86_400_000, place: PERSONAL.place, organisation: PERSONAL.organisation, content: PERSONAL.card, photo: PHOTO }),
    ])
    // A reply names a reflection the server already has.
    await push(member, [record('reflection_reply', { replyId: crypto.randomUUID(), reflectionId, text: PERSONAL.reply })])
  })
  afterAll(() => ctx.close())

  it('refuses everyone but a district admin who outranks the person, after a recent sign-in, and writes nothing then', async () => {
    const before = await personRow(target.id)
    const secretary = await signIn(ctx.app, DEMO_LOGINS[3].phone)
    const supervisor = await signIn(ctx.app, DEMO_LOGINS[4].phone)
    expect((await erase(target.id, leader)).statusCode).toBe(403)
    expect((await erase(target.id, secretary)).statusCode).toBe(403)
    expect((await erase(target.id, supervisor)).statusCode).toBe(403)
    expect((await erase(target.id, member)).statusCode).toBe(403)
    expect((await inject('POST', `/api/v1/admin/people/${target.id}/erase`)).statusCode).toBe(401)
    expect((await erase('no-such-person', admin)).statusCode).toBe(404)
    const adminId = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[5].phone)!.id
    expect((await erase(adminId, admin)).json().code).toBe('OWN_ACCOUNT')
    // A second district admin is a peer: neither erases the other.
    await db().insertInto('role').values({ person_id: ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!.id, org_unit_id: ctx.seed.units.find((u) => u.kind === 'district')!.id, role: 'admin' }).execute()
    expect((await erase(ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[0].phone)!.id, admin)).json().code).toBe('OUTRANKED')
    // A phone signed in long ago must ask for the password again first.
    const stale = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    await db().updateTable('session').set({ verified_at: Date.now() - 60 * 60 * 1000 }).where('person_id', '=', adminId).where('verified_at', '>', Date.now() - 60_000).execute()
    expect((await erase(target.id, stale)).json().code).toBe('STEP_UP_REQUIRED')
    admin = await signIn(ctx.app, DEMO_LOGINS[5].phone)
    expect(await personRow(target.id)).toEqual(before)
    expect(await db().selectFrom('audit_log').select('id').where('action', '=', 'person.erase').execute()).toEqual([])
  })

  it('signs the person out, scrubs what identifies them, keeps every figure, audits ids only; a second time is 409', async () => {
    const before = await figures()
    // Deactivating takes the person out of the active-member figures; erasing must change nothing more.
    expect((await inject('POST', `/api/v1/admin/people/${target.id}/status`, admin, { status: 'inactive' })).statusCode).toBe(200)
    const deactivated = await figures()
    expect((await inject('POST', `/api/v1/admin/people/${target.id}/status`, admin, { status: 'active' })).statusCode).toBe(200)
    member = await signIn(ctx.app, target.phone)
    expect((await inject('GET', '/api/v1/auth/me', member)).statusCode).toBe(200)

    const res = await erase(target.id, admin)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id: target.id, name: ERASED_NAME, status: 'inactive', erased: true, roles: [] })
    expect(res.json().phone).not.toBe(target.phone)

    // Nothing they are or wrote is left in any table (the audit log keeps its earlier entries;
    // checked before anyone types their old number at the login, which counts it again).
    const rows = await everything()
    for (const text of [target.phone, ...Object.values(PERSONAL)]) expect(rows.includes(text), text).toBe(false)
    // The demo's names repeat (invented from common names): the name may remain on namesakes only.
    const namesakes = ctx.seed.people.filter((p) => p.name === target.name && p.id !== target.id).length
    expect(rows.split(`"${target.name}"`).length - 1).toBe(namesakes)
    expect(await db().selectFrom('reflection_photo').select('n').execute()).toEqual([])
    expect(await db().selectFrom('home_visit').select('photo').where('person_id', '=', target.id).execute()).toEqual([{ photo: null }])
    expect(await db().selectFrom('flowing_record').select('photo').where('person_id', '=', target.id).execute()).toEqual([{ photo: null }])

    // Their phone is signed out at its next request, and their number and password open nothing.
    expect((await inject('GET', '/api/v1/auth/me', member)).statusCode).toBe(401)
    expect((await inject('POST', '/api/v1/auth/login', undefined, { phone: target.phone, password: 'demo1234', deviceName: 'x' })).statusCode).toBe(401)
    expect(await db().selectFrom('session').select('id').where('person_id', '=', target.id).execute()).toEqual([])

    // The figures: exactly those of a deactivated person (rates are over the current roster, so
    // deactivating takes them out of "expected"); their marks and study events are all still there.
    const after = await figures()
    expect(after).toEqual(deactivated)
    expect(before.overview).not.toEqual(deactivated.overview)
    expect(after.studyEvents).toBe(1)
    expect(await db().selectFrom('attendance_mark').select('status').where('person_id', '=', target.id).execute()).toEqual([{ status: 'leave' }])

    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'person.erase').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.target).toBe(target.id)
    expect(audit[0]!.detail).not.toContain(target.name)
    expect(audit[0]!.detail).not.toContain(target.phone)

    // Final: erasing again, reactivating or editing is refused, and writes nothing.
    const erasedRow = await personRow(target.id)
    const again = await erase(target.id, admin)
    expect([again.statusCode, again.json().code]).toEqual([409, 'PERSON_ERASED'])
    expect((await inject('POST', `/api/v1/admin/people/${target.id}/status`, admin, { status: 'active' })).json().code).toBe('PERSON_ERASED')
    expect((await inject('PATCH', `/api/v1/admin/people/${target.id}`, admin, { name: '复原' })).json().code).toBe('PERSON_ERASED')
    expect(await personRow(target.id)).toEqual(erasedRow)
    expect(await db().selectFrom('audit_log').select('id').where('action', '=', 'person.erase').execute()).toHaveLength(1)
  })

  it('erasing a leader removes the home-visit photos they took but keeps the visit in the member’s record', async () => {
    const leaderRow = ctx.seed.people.find((p) => p.phone === DEMO_LOGINS[2].phone)!
    const visited = ctx.seed.people.find((p) => p.org_unit_id === target.org_unit_id && p.id !== target.id && p.id !== leaderRow.id)!
    const visitId = crypto.randomUUID()
    await push(leader, [record('home_visit', { visitId, orgUnitId: target.org_unit_id, personId: visited.id, visitedAt: Date.now() - 60_000, studied: '党章第二章', note: '学得很认真', photo: PHOTO })])
    expect((await erase(leaderRow.id, admin)).statusCode).toBe(200)
    expect(await db().selectFrom('home_visit').select(['photo', 'note', 'visited_by']).where('id', '=', visitId).executeTakeFirst()).toEqual({
      photo: null,
      note: '学得很认真',
      visited_by: leaderRow.id,
    })
    expect(await db().selectFrom('meeting').select('id').where('id', '=', meetingId).execute()).toHaveLength(1)
    expect((await inject('GET', '/api/v1/auth/me', leader)).statusCode).toBe(401)
  })
})
