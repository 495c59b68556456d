/**
 * Training-needs surveys 需求调研 on the server: who may send one, who it reaches, answers refused
 * per record with the reason, replayed answers stored once and a later answer replacing the
 * earlier, results against a hand-computed example, the anonymity threshold, response rates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { MySurvey, SurveyQuestionResult, SurveyResults } from '../../../src/protocol/survey.ts'
import { buildTestApp, signIn, type TestContext } from '../../support/testApp.ts'
import { DIALECTS } from '../../support/testDb.ts'

const [MEMBER, , , SECRETARY, SUPERVISOR] = DEMO_LOGINS.map((l) => l.phone)
const HOUR = 3_600_000
const QUESTIONS = [
  { type: 'single', text: '最想学哪方面？', options: ['党史', '政策法规', '农业技术'] },
  { type: 'multiple', text: '方便的学习方式', options: ['集中培训', '手机学习', '田间课堂'] },
  { type: 'rating', text: '对去年培训的满意度' },
  { type: 'text', text: '其他建议' },
]
type Headers = { authorization: string }
type Answer = { questionId: string; choices?: string[]; rating?: number; comment?: string }

describe.each(DIALECTS)('surveys on %s', (dialect) => {
  let ctx: TestContext
  let secretary: Headers
  let branchId: string
  /** Six members of the secretary's first group, with the groups set for the example below. */
  let six: { id: string; headers: Headers }[]

  beforeAll(async () => {
    ctx = await buildTestApp(dialect)
    secretary = await signIn(ctx.app, SECRETARY)
    const people = ctx.seed.people
    const secretaryId = people.find((p) => p.phone === SECRETARY)!.id
    branchId = ctx.seed.roles.find((r) => r.person_id === secretaryId && r.role === 'secretary')!.org_unit_id
    const member = people.find((p) => p.phone === MEMBER)!
    const picked = people.filter((p) => p.org_unit_id === member.org_unit_id && p.phone !== SECRETARY).slice(0, 6)
    // m1–m4 farmers, m5–m6 teachers; m1–m3 born 1995, m4–m6 born 1950; only m6 flowing.
    for (const [i, p] of picked.entries()) {
      await ctx.testDb.db
        .updateTable('person')
        .set({ occupation: i < 4 ? 'farmer' : 'teacher', birth_year: i < 3 ? 1995 : 1950, is_flowing: i === 5 ? 1 : 0, is_elderly: 0, joined_party_at: null })
        .where('id', '=', p.id)
        .execute()
    }
    six = await Promise.all(picked.map(async (p) => ({ id: p.id, headers: await signIn(ctx.app, p.phone) })))
  })
  afterAll(() => ctx.close())

  const create = (body: Record<string, unknown> = {}, headers = secretary) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/surveys',
      headers,
      payload: { orgUnitId: branchId, title: '年度培训需求调研', anonymous: false, opensAt: Date.now() - HOUR, closesAt: Date.now() + HOUR, questions: QUESTIONS, ...body },
    })
  const mine = async (headers: Headers): Promise<MySurvey[]> => (await ctx.app.inject({ method: 'GET', url: '/api/v1/surveys/mine', headers })).json().items
  const record = (surveyId: string, answers: Answer[], createdAt = Date.now()) => ({
    id: uuidv7(),
    kind: 'survey_answer',
    createdAt,
    deviceId: 'd1',
    payload: { answerId: uuidv7(), surveyId, answers },
  })
  const push = async (records: unknown[], headers: Headers) =>
    (await ctx.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers, payload: { deviceId: 'd1', outboxCount: records.length, records } })).json().results
  const results = async (id: string): Promise<SurveyResults> => (await ctx.app.inject({ method: 'GET', url: `/api/v1/surveys/${id}/results`, headers: secretary })).json()
  const split = (q: SurveyQuestionResult, name: string, key: string) => q.splits.find((s) => s.name === name)!.groups.find((g) => g.key === key)!

  it('lets a secretary (own branch) and a supervisor (own subtree) send one; refuses a member, another branch and bad questions', async () => {
    const res = await create()
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ title: '年度培训需求调研', anonymous: false, questionCount: 4, memberGroup: null })
    expect((await create({}, six[0]!.headers)).statusCode).toBe(403)
    const other = ctx.seed.units.find((u) => u.name === '石桥村党支部')!.id
    expect((await create({ orgUnitId: other })).statusCode).toBe(403)
    expect((await create({ orgUnitId: other }, await signIn(ctx.app, SUPERVISOR))).statusCode).toBe(201)

    const oneOption = await create({ questions: [{ type: 'single', text: '只有一个选项', options: ['是'] }] })
    expect(oneOption.statusCode).toBe(400)
    expect(oneOption.json().field).toBe('body.questions.0.options')
    const window = await create({ closesAt: Date.now() - 2 * HOUR })
    expect(window.statusCode).toBe(400)
    expect(window.json().field).toBe('body.closesAt')
  })

  it('reaches the members of the unit (and only the member group it names)', async () => {
    const forFlowing = (await create({ title: '流动党员调研', memberGroup: 'flowing' })).json()
    expect((await mine(six[5]!.headers)).map((s) => s.title)).toContain('流动党员调研')
    expect((await mine(six[0]!.headers)).map((s) => s.title)).not.toContain('流动党员调研')
    const [refused] = await push([record(forFlowing.id, [{ questionId: 'q3', rating: 4 }])], six[0]!.headers)
    expect(refused).toMatchObject({ status: 'rejected', code: 'FORBIDDEN', field: 'payload.surveyId' })
    const elsewhere = (await mine(six[0]!.headers)).filter((s) => s.title === '年度培训需求调研')
    expect(elsewhere).toHaveLength(1) // the supervisor's survey went to the other branch
  })

  it('refuses each bad answer with its reason and stores nothing of it', async () => {
    const survey = (await create({ title: '拒收测试' })).json()
    const who = six[0]!.headers
    const bad = [
      record(survey.id, [{ questionId: 'q9', rating: 3 }]),
      record(survey.id, [{ questionId: 'q1', choices: ['D'] }]),
      record(survey.id, [{ questionId: 'q3', rating: 0 }]),
      record(survey.id, [{ questionId: 'q3', rating: 6 }]),
      record(survey.id, [{ questionId: 'q4', comment: '长'.repeat(10_000) }]),
      record(survey.id, [{ questionId: 'q1', choices: ['A', 'B'] }]),
      record(survey.id, [{ questionId: 'q3', choices: ['A'] }]),
    ]
    const res = await push(bad, who)
    expect(res.map((r: { code: string; field: string }) => [r.code, r.field])).toEqual([
      ['SURVEY_ANSWER', 'payload.answers.0.questionId'],
      ['SURVEY_ANSWER', 'payload.answers.0.choices'],
      ['INVALID_PAYLOAD', 'payload.answers.0.rating'],
      ['INVALID_PAYLOAD', 'payload.answers.0.rating'],
      ['INVALID_PAYLOAD', 'payload.answers.0.comment'],
      ['SURVEY_ANSWER', 'payload.answers.0.choices'],
      ['SURVEY_ANSWER', 'payload.answers.0.rating'],
    ])
    expect(res[1].message).toContain('Option "D" is not in question "q1"')

    await ctx.testDb.db.updateTable('survey').set({ opens_at: Date.now() - 3 * HOUR, closes_at: Date.now() - HOUR }).where('id', '=', survey.id).execute()
    // A phone clock running ahead cannot help: `at` is bounded by the server's receipt, after the close.
    const [late] = await push([record(survey.id, [{ questionId: 'q3', rating: 4 }], Date.now() + HOUR)], who)
    expect(late).toMatchObject({ status: 'rejected', code: 'SURVEY_CLOSED' })
    const stored = await ctx.testDb.db.selectFrom('survey_answer').select('person_id').where('survey_id', '=', survey.id).execute()
    expect(stored).toEqual([])
  })

  it('stores a replayed answer once, and a later answer replaces the earlier', async () => {
    const survey = (await create({ title: '重复提交' })).json()
    const who = six[0]!
    const first = record(survey.id, [{ questionId: 'q1', choices: ['A'] }], Date.now() - 60_000)
    expect((await push([first], who.headers))[0].status).toBe('applied')
    expect((await push([first], who.headers))[0].status).toBe('duplicate')
    const later = record(survey.id, [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q3', rating: 5 }])
    expect((await push([later], who.headers))[0].status).toBe('applied')
    // An older answer from another phone arriving now changes nothing.
    expect((await push([record(survey.id, [{ questionId: 'q1', choices: ['B'] }], Date.now() - 120_000)], who.headers))[0].status).toBe('applied')
    const items = await ctx.testDb.db.selectFrom('survey_answer_item').select(['question_id', 'value']).where('survey_id', '=', survey.id).orderBy('question_id').execute()
    expect(items).toEqual([
      { question_id: 'q1', value: 'C' },
      { question_id: 'q3', value: '5' },
    ])
    expect((await mine(who.headers)).find((s) => s.id === survey.id)!.answeredAt).toEqual(expect.any(Number))
  })

  describe('results of the example', () => {
    let surveyId: string
    // What the six answered (m6 skipped question 2):
    const ANSWERS: Answer[][] = [
      [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q2', choices: ['A', 'B'] }, { questionId: 'q3', rating: 5 }, { questionId: 'q4', comment: '想学电商' }],
      [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q2', choices: ['B'] }, { questionId: 'q3', rating: 4 }],
      [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q2', choices: ['B', 'C'] }, { questionId: 'q3', rating: 4 }],
      [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q2', choices: ['B'] }, { questionId: 'q3', rating: 3 }],
      [{ questionId: 'q1', choices: ['C'] }, { questionId: 'q2', choices: ['C'] }, { questionId: 'q3', rating: 5 }],
      [{ questionId: 'q1', choices: ['A'] }, { questionId: 'q3', rating: 2 }, { questionId: 'q4', comment: '希望多讲养老政策' }],
    ]
    beforeAll(async () => {
      surveyId = (await create({ title: '结果示例' })).json().id
      for (const [i, m] of six.entries()) expect((await push([record(surveyId, ANSWERS[i]!)], m.headers))[0].status).toBe('applied')
    })

    it('counts per question and per member group, as worked out by hand', async () => {
      const r = await results(surveyId)
      expect(r.respondents).toBe(6)
      const [q1, q2, q3, q4] = r.questions
      expect(q1).toMatchObject({ answered: 6, values: ['A', 'B', 'C'], labels: ['党史', '政策法规', '农业技术'], counts: [1, 0, 5] })
      expect(q2).toMatchObject({ answered: 5, counts: [1, 4, 2] })
      // Ratings 5, 4, 4, 3, 5, 2: mean 23 / 6 = 3.83.
      expect(q3).toMatchObject({ answered: 6, counts: [0, 1, 1, 2, 2], mean: 3.8 })
      expect(split(q1!, 'ageBand', 'under35')).toEqual({ key: 'under35', answered: 3, counts: [0, 0, 3] })
      expect(split(q1!, 'ageBand', '65plus')).toEqual({ key: '65plus', answered: 3, counts: [1, 0, 2] })
      expect(split(q1!, 'occupation', 'teacher')).toEqual({ key: 'teacher', answered: 2, counts: [1, 0, 1] })
      expect(split(q2!, 'flowing', 'yes')).toEqual({ key: 'yes', answered: 0, counts: [0, 0, 0] })
      expect(split(q3!, 'occupation', 'farmer')).toEqual({ key: 'farmer', answered: 4, counts: [0, 0, 1, 2, 1] })
      // Not anonymous: the texts carry names.
      expect(q4!.texts.map((t) => t.text).sort()).toEqual(['希望多讲养老政策', '想学电商'])
      expect(q4!.texts.every((t) => typeof t.name === 'string')).toBe(true)
    })

    it('in an anonymous survey shows no figure under 5 people and no name', async () => {
      await ctx.testDb.db.updateTable('survey').set({ anonymous: 1 }).where('id', '=', surveyId).execute()
      const r = await results(surveyId)
      const [q1, q2, q3, q4] = r.questions
      expect(q1).toMatchObject({ answered: 6, counts: [null, 0, 5] })
      expect(q2).toMatchObject({ answered: 5, counts: [null, null, null] })
      expect(q3).toMatchObject({ answered: 6, counts: [0, null, null, null, null], mean: 3.8 })
      // Groups of fewer than 5: nothing at all.
      expect(split(q1!, 'ageBand', 'under35')).toEqual({ key: 'under35', answered: null, counts: [null, null, null] })
      expect(split(q1!, 'occupation', 'farmer')).toEqual({ key: 'farmer', answered: null, counts: [null, null, null] })
      expect(split(q1!, 'flowing', 'no')).toEqual({ key: 'no', answered: 5, counts: [0, 0, 5] })
      expect(q4!.texts).toEqual([{ text: '希望多讲养老政策' }, { text: '想学电商' }].sort((a, b) => (a.text < b.text ? -1 : 1)))
      const body = JSON.stringify(r)
      for (const m of six) expect(body).not.toContain(m.id)
    })

    it('gives the response rate per unit, one page at a time', async () => {
      const r = await results(surveyId)
      const branchMembers = ctx.seed.people.filter((p) => ctx.seed.units.find((u) => u.id === p.org_unit_id)!.parent_id === branchId).length
      expect(r).toMatchObject({ addressed: branchMembers, respondents: 6 })
      const page = async (cursor?: string) =>
        (await ctx.app.inject({ method: 'GET', url: `/api/v1/surveys/${surveyId}/units?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers: secretary })).json()
      const first = await page()
      expect(first.items).toHaveLength(2)
      const second = await page(first.next)
      expect(second).toMatchObject({ items: [expect.anything()], next: null })
      // The branch's three groups of 12; the six who answered are all in one of them.
      const rates = [...first.items, ...second.items].map((u: { members: number; answered: number }) => [u.members, u.answered]).sort()
      expect(rates).toEqual([
        [12, 0],
        [12, 0],
        [12, 6],
      ])
      const leader = await signIn(ctx.app, DEMO_LOGINS[2].phone)
      expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/surveys/${surveyId}/results`, headers: leader })).statusCode).toBe(403)
    })
  })
})
