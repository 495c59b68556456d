/**
 * Course and lecturer evaluation 教学评估: a member rates a course they completed (even when the
 * completion travels in the same offline batch) or a meeting they attended; refusals per record;
 * a later rating replaces the earlier one; supervisors see counts, means, distributions and
 * comments without names; the lecturer pool shows the lecturer's rating.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_DIR, importContent } from '../../../server/features/content/import.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { EvaluationPayload } from '../../../src/protocol/evaluation.ts'
import type { PushRecord } from '../../../src/protocol/sync.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'
import { meetingPayload, pushRecord, studyRecord } from '../sync/pushSupport.ts'

type Headers = { authorization: string }
const [MEMBER, FLOWING, LEADER, SECRETARY, SUPERVISOR] = DEMO_LOGINS.map((l) => l.phone)

describe.each(DIALECTS)('evaluations on %s', (dialect) => {
  let ctx: TestContext
  let member: Headers
  let flowing: Headers
  let supervisor: Headers
  let courseId: string
  let lessons: string[]
  let memberRow: { id: string; name: string; org_unit_id: string }
  let townshipId: string
  let lecturerId: string
  let meetingId: string

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    await importContent(ctx.testDb.db, CONTENT_DIR)
    ;[member, flowing, supervisor] = await Promise.all([signIn(ctx.app, MEMBER), signIn(ctx.app, FLOWING), signIn(ctx.app, SUPERVISOR)])
    memberRow = ctx.seed.people.find((p) => p.phone === MEMBER)!
    const supervisorId = ctx.seed.people.find((p) => p.phone === SUPERVISOR)!.id
    townshipId = ctx.seed.roles.find((r) => r.person_id === supervisorId && r.role === 'supervisor')!.org_unit_id
    const course = await ctx.testDb.db.selectFrom('lesson').select(['course_id', (eb) => eb.fn.countAll<number>().as('n')]).where('deleted_at', 'is', null).groupBy('course_id').having((eb) => eb.fn.countAll(), '>=', 2).orderBy('course_id').executeTakeFirstOrThrow()
    courseId = course.course_id
    lessons = (await ctx.testDb.db.selectFrom('lesson').select('id').where('course_id', '=', courseId).where('deleted_at', 'is', null).orderBy('id').execute()).map((l) => l.id)
    lecturerId = (await ctx.testDb.db.selectFrom('lecturer').select('id').orderBy('id').executeTakeFirstOrThrow()).id
  })
  afterAll(() => ctx.close())

  const push = async (headers: Headers, records: PushRecord[]) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'device-a', outboxCount: records.length, records } })
    expect(res.statusCode).toBe(200)
    return res.json().results as { status: string; code?: string; field?: string }[]
  }
  const rating = (over: Partial<EvaluationPayload> = {}, extra: Partial<PushRecord> = {}) =>
    pushRecord('evaluation', { evaluationId: uuidv7(), target: 'course', targetId: courseId, content: 4, usefulness: 5, comment: '讲得很实在', ...over }, extra)
  const completed = (lessonId: string) => studyRecord({ lessonId, courseId, kind: 'completed', seconds: 60 })
  const get = (url: string, headers = supervisor) => ctx.app.inject({ method: 'GET', url, headers })

  it('refuses a rating for a course not completed, and takes it in the batch that completes it', async () => {
    expect(await push(member, lessons.slice(0, -1).map(completed))).toEqual(lessons.slice(1).map(() => expect.objectContaining({ status: 'applied' })))
    expect((await push(member, [rating()]))[0]).toMatchObject({ status: 'rejected', code: 'EVALUATION_TARGET', field: 'payload.targetId' })
    // Offline, the last lesson and the rating queue together: one batch.
    const res = await push(member, [completed(lessons.at(-1)!), rating({ content: 3, comment: '第一次' })])
    expect(res.map((r) => r.status)).toEqual(['applied', 'applied'])
  })

  it('refuses per record a rating of 0 or 6, a comment of 10,000 characters, a lecturer for a course', async () => {
    const res = await push(member, [rating({ content: 0 }), rating({ usefulness: 6 }), rating({ comment: '长'.repeat(10_000) }), rating({ lecturer: 4 })])
    expect(res.map((r) => [r.status, r.code, r.field])).toEqual([
      ['rejected', 'INVALID_PAYLOAD', 'payload.content'],
      ['rejected', 'INVALID_PAYLOAD', 'payload.usefulness'],
      ['rejected', 'INVALID_PAYLOAD', 'payload.comment'],
      ['rejected', 'INVALID_PAYLOAD', 'payload.lecturer'],
    ])
  })

  it('keeps one rating per member and course: a later one replaces it, an older one arriving late does not', async () => {
    expect((await push(member, [rating({ content: 5, usefulness: 4, comment: '改了主意' })]))[0]!.status).toBe('applied')
    expect((await push(member, [rating({ content: 1 }, { createdAt: Date.now() - 3_600_000 })]))[0]!.status).toBe('applied')
    const rows = await ctx.testDb.db.selectFrom('evaluation').selectAll().where('person_id', '=', memberRow.id).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ content: 5, usefulness: 4, comment: '改了主意' })
  })

  it('rates a meeting only when attended, and its lecturer only when it had one', async () => {
    const leader = await signIn(ctx.app, LEADER)
    const meeting = meetingPayload(memberRow.org_unit_id, { lecturerId })
    meetingId = meeting.meetingId
    const bare = meetingPayload(memberRow.org_unit_id)
    expect((await push(leader, [pushRecord('meeting_create', meeting), pushRecord('meeting_create', bare)])).map((r) => r.status)).toEqual(['applied', 'applied'])
    const mark = (id: string) => pushRecord('attendance_mark', { meetingId: id, orgUnitId: memberRow.org_unit_id, marks: [{ personId: memberRow.id, status: 'present' }] })
    expect((await push(leader, [mark(meetingId), mark(bare.meetingId)])).map((r) => r.status)).toEqual(['applied', 'applied'])

    const onMeeting = (over: Partial<EvaluationPayload>) => rating({ target: 'meeting', targetId: meetingId, ...over })
    const res = await push(member, [onMeeting({ lecturer: 4, content: 5, usefulness: 5, comment: '老师讲得好' }), rating({ target: 'meeting', targetId: bare.meetingId, lecturer: 3 })])
    expect(res.map((r) => [r.status, r.field])).toEqual([['applied', undefined], ['rejected', 'payload.lecturer']])
    expect((await push(flowing, [onMeeting({ lecturer: 1 })]))[0]).toMatchObject({ status: 'rejected', code: 'EVALUATION_TARGET' })
    // The member's attendance names the lecturer, so the phone offers to rate them (and only there).
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/attendance/me', headers: member })).json().meetings as { meeting: { id: string; lecturerId?: string } }[]
    expect(mine.find((e) => e.meeting.id === meetingId)!.meeting.lecturerId).toBe(lecturerId)
    expect(mine.find((e) => e.meeting.id === bare.meetingId)!.meeting).not.toHaveProperty('lecturerId')
  })

  it('shows supervisors count, mean and distribution per course and lecturer, comments without names; members see none', async () => {
    const courses = (await get(`/api/v1/evaluations?orgUnitId=${townshipId}&by=course`)).json()
    expect(courses.items).toEqual([expect.objectContaining({ id: courseId, content: { count: 1, mean: 5, distribution: [0, 0, 0, 0, 1] }, usefulness: { count: 1, mean: 4, distribution: [0, 0, 0, 1, 0] }, lecturer: null })])
    const lecturers = (await get(`/api/v1/evaluations?orgUnitId=${townshipId}&by=lecturer`)).json()
    expect(lecturers.items).toEqual([expect.objectContaining({ id: lecturerId, lecturer: { count: 1, mean: 4, distribution: [0, 0, 0, 1, 0] } })])

    const comments = await get(`/api/v1/evaluations/comments?orgUnitId=${townshipId}&by=lecturer&id=${lecturerId}`)
    expect(comments.json().items).toEqual([{ comment: '老师讲得好', content: 5, usefulness: 5, lecturer: 4, day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) }])
    for (const body of [comments.body, (await get(`/api/v1/evaluations/comments?orgUnitId=${townshipId}&by=course&id=${courseId}`)).body]) {
      expect(body).not.toContain(memberRow.name)
      expect(body).not.toContain(memberRow.id)
    }
    expect((await get(`/api/v1/evaluations?orgUnitId=${townshipId}&by=course`, member)).statusCode).toBe(403)
    expect((await get(`/api/v1/evaluations?orgUnitId=${townshipId}&by=course&cursor=x`)).json()).toMatchObject({ field: 'querystring.cursor' })
  })

  it('shows the lecturer’s rating in the pool to a secretary who books lecturers', async () => {
    const secretary = await signIn(ctx.app, SECRETARY)
    const secretaryId = ctx.seed.people.find((p) => p.phone === SECRETARY)!.id
    const branchId = ctx.seed.roles.find((r) => r.person_id === secretaryId && r.role === 'secretary')!.org_unit_id
    const pool = (await get(`/api/v1/lecturers?orgUnitId=${branchId}&limit=200`, secretary)).json()
    expect(pool.items.find((l: { id: string }) => l.id === lecturerId).rating).toEqual({ count: 1, mean: 4 })
  })
})
