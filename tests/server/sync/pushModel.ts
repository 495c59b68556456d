/**
 * The server half of the push model, shared by the model test and its bench: a REAL Fastify app
 * on either database behind the phone of pushModel.client.ts. Each schedule gets fresh fixtures
 * (a reflection, a flowing member's record, a meeting); once the phone quiesces, `check` asserts
 * every record it made is on the server exactly once with its effect (rows counted in each kind's
 * own table, an audit row per review), nothing is lost, and only refused ones are dead letters.
 */
import type fc from 'fast-check'
import { uuidv7 } from '../../../src/features/sync/uuidv7.ts'
import type { App } from '../../../server/app.ts'
import { DEMO_LOGINS } from '../../../server/seed/demo.ts'
import { signIn, type TestContext } from '../../support/testApp.ts'

/**
 * The phone half is client code (Dexie, DOM types; the root tsconfig checks it). It is loaded by
 * a name the server's type check does not follow, and used through this much of its surface.
 */
const PHONE_MODULE: string = './pushModel.client.ts'
type Action = { t: string }
interface Person {
  id: string
  orgUnitId: string
  token: string
}
export interface World {
  leader: Person
  member: Person
  flowing: Person
}
interface Fixtures {
  reflectionId: string
  flowingRecordId: string
  meetingId: string
}
interface Made {
  studies: string[]
  poisons: string[]
  likes: boolean[]
  reviews: string[]
  flowingDecisions: string[]
  marks: { id: string; status: string }[]
}
interface Phone {
  count(): Promise<number>
  deadLetterIds(): Promise<string[]>
}
interface PhoneModule {
  actions: fc.Arbitrary<Action[]>
  faultsHit: Map<string, number>
  answer(status: number, body: unknown, headers?: Record<string, string>): Response
  runPhone(world: World, fixtures: Fixtures, schedule: Action[], deliver: (url: string, init: RequestInit) => Promise<Response>, check: (phone: Phone, made: Made) => Promise<void>): Promise<void>
}
export const phoneModel = (await import(PHONE_MODULE)) as PhoneModule
const { answer, runPhone } = phoneModel

/** One schedule: fixtures, the phone's run, then the check against the database. */
export async function runSchedule(ctx: TestContext, world: World, schedule: Action[]): Promise<void> {
  const fixtures = await makeFixtures(ctx.app, world)
  const deliver = async (url: string, init: RequestInit) => {
    const res = await ctx.app.inject({ method: 'POST', url: new URL(url).pathname, headers: init.headers as Record<string, string>, payload: init.body as string })
    const headers = Object.fromEntries(Object.entries(res.headers).filter((e): e is [string, string] => typeof e[1] === 'string'))
    return answer(res.statusCode, res.body, headers)
  }
  await runPhone(world, fixtures, schedule, deliver, (phone, made) => check(ctx, phone, fixtures, made))
}

export async function makeWorld(ctx: TestContext): Promise<World> {
  const person = async (phone: string): Promise<Person> => {
    const row = ctx.seed.people.find((p) => p.phone === phone)!
    const token = (await signIn(ctx.app, phone)).authorization.replace(/^Bearer /, '')
    return { id: row.id, orgUnitId: row.org_unit_id, token }
  }
  return { leader: await person(DEMO_LOGINS[2].phone), member: await person(DEMO_LOGINS[0].phone), flowing: await person(DEMO_LOGINS[1].phone) }
}

/** A fresh reflection (by the member), flowing record (by the flowing member) and meeting (by the leader). */
async function makeFixtures(app: App, world: World): Promise<Fixtures> {
  const fixtures = { reflectionId: crypto.randomUUID(), flowingRecordId: crypto.randomUUID(), meetingId: crypto.randomUUID() }
  const push = async (p: Person, kind: string, payload: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { authorization: `Bearer ${p.token}` },
      payload: { deviceId: 'fixtures', outboxCount: 1, records: [{ id: uuidv7(), kind, payload, createdAt: Date.now(), deviceId: 'fixtures' }] },
    })
    const result = res.json().results?.[0]
    if (result?.status !== 'applied') throw new Error(`fixture ${kind} not applied: ${res.body}`)
  }
  await push(world.member, 'reflection_post', { reflectionId: fixtures.reflectionId, orgUnitId: world.member.orgUnitId, text: '学习心得', photos: [] })
  await push(world.flowing, 'flowing_record', { recordId: fixtures.flowingRecordId, heldOn: Date.now() - 3_600_000, place: '深圳', organisation: '园区支部', content: '主题党日' })
  const now = Date.now()
  await push(world.leader, 'meeting_create', { meetingId: fixtures.meetingId, orgUnitId: world.leader.orgUnitId, type: 'group_meeting', startsAt: now - 600_000, endsAt: now + 3_000_000, place: '村委会', topic: '学习党章', checkinCode: '246810' })
  return fixtures
}

async function check(ctx: TestContext, phone: Phone, fixtures: Fixtures, made: Made): Promise<void> {
  const db = ctx.testDb.db
  const fail = (what: string, got: unknown, want: unknown) => {
    throw new Error(`${what}: server has ${JSON.stringify(got)}, the phone made ${JSON.stringify(want)}`)
  }
  if ((await phone.count()) !== 0) fail('outbox after quiescing', await phone.count(), 0)
  const dead = (await phone.deadLetterIds()).sort()
  if (JSON.stringify(dead) !== JSON.stringify([...made.poisons].sort())) fail('dead letters', dead, made.poisons)

  const ids = [...made.studies, ...made.poisons]
  const studies = ids.length === 0 ? [] : await db.selectFrom('study_event').select('id').where('id', 'in', ids).execute()
  if (studies.length !== made.studies.length || studies.some((s) => !made.studies.includes(s.id))) fail('study events', studies.length, made.studies.length)

  const marks = await db.selectFrom('attendance_mark').select(['record_id', 'status']).where('meeting_id', '=', fixtures.meetingId).orderBy('seq').execute()
  if (JSON.stringify(marks.map((m) => [m.record_id, m.status])) !== JSON.stringify(made.marks.map((m) => [m.id, m.status]))) fail('marks', marks, made.marks)

  const likes = await db.selectFrom('reflection_like').select('person_id').where('reflection_id', '=', fixtures.reflectionId).execute()
  const liked = made.likes.at(-1) ?? false
  if (likes.length !== (liked ? 1 : 0)) fail('likes', likes.length, made.likes)

  // Every review is audited once: a review applied twice would leave two rows.
  const audits = await db.selectFrom('audit_log').select('id').where('action', '=', 'reflection.review').where('target', '=', fixtures.reflectionId).execute()
  const reflection = await db.selectFrom('reflection').select('status').where('id', '=', fixtures.reflectionId).executeTakeFirstOrThrow()
  if (audits.length !== made.reviews.length || reflection.status !== (made.reviews.at(-1) ?? 'normal')) fail('reviews', [audits.length, reflection.status], made.reviews)

  const flowing = await db.selectFrom('flowing_record').select('status').where('id', '=', fixtures.flowingRecordId).executeTakeFirstOrThrow()
  if (flowing.status !== (made.flowingDecisions.at(-1) ?? 'pending')) fail('flowing review', flowing.status, made.flowingDecisions)
}
