/**
 * The phone half of the push model (tests/server/sync/pushModel.ts has the server half): the
 * PWA's real push core (`drain` on fake-indexeddb, as in tests/unit/sync/support/client.ts) runs a
 * generated schedule of writes, pushes and faults: request lost, answer lost after commit, 413,
 * 503, 429, a poison record, a second person signed in on the phone, two pushers racing under the
 * lease lock. Client code only (checked by the root tsconfig): the server is reached through the
 * `deliver` function it is given.
 */
import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { PocketDb, type StoredSession } from '../../../src/db/db.ts'
import { enqueue, setOutboxOwner } from '../../../src/features/sync/outbox.db.ts'
import { drain, type PushEnv } from '../../../src/features/sync/pushCore.ts'
import { leaseLock } from '../../../src/features/sync/syncLock.ts'

export type Fault = 'dropRequest' | 'dropResponse' | 'status413' | 'status503' | 'status429'

export type Action =
  | { t: 'study' }
  | { t: 'poison' }
  | { t: 'like'; liked: boolean }
  | { t: 'review'; status: 'normal' | 'excellent' }
  | { t: 'flowingReview'; decision: 'confirmed' | 'returned' }
  | { t: 'mark'; status: 'present' | 'leave' | 'absent' }
  | { t: 'memberStudy' }
  | { t: 'fault'; fault: Fault }
  | { t: 'drain' }
  | { t: 'race' }
  | { t: 'switchPerson' }

export const actions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant({ t: 'study' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'poison' as const }) },
    { weight: 2, arbitrary: fc.boolean().map((liked) => ({ t: 'like' as const, liked })) },
    { weight: 2, arbitrary: fc.constantFrom('normal' as const, 'excellent' as const).map((status) => ({ t: 'review' as const, status })) },
    { weight: 2, arbitrary: fc.constantFrom('confirmed' as const, 'returned' as const).map((decision) => ({ t: 'flowingReview' as const, decision })) },
    { weight: 2, arbitrary: fc.constantFrom('present' as const, 'leave' as const, 'absent' as const).map((status) => ({ t: 'mark' as const, status })) },
    { weight: 1, arbitrary: fc.constant({ t: 'memberStudy' as const }) },
    { weight: 4, arbitrary: fc.constantFrom<Fault>('dropRequest', 'dropResponse', 'status413', 'status503', 'status429').map((fault) => ({ t: 'fault' as const, fault })) },
    { weight: 3, arbitrary: fc.constant({ t: 'drain' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'race' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'switchPerson' as const }) },
  ),
  // 'max': fast-check's default size keeps arrays short, and a fault needs a push after it to strike.
  { minLength: 4, maxLength: 30, size: 'max' },
)

/** How often each fault really struck a request, over all schedules run (a coverage check). */
export const faultsHit = new Map<Fault, number>()

export interface Person {
  id: string
  orgUnitId: string
  token: string
}

/** Who is on the phone and what the fixtures of one schedule are. */
export interface World {
  leader: Person
  member: Person
  flowing: Person
}

/** The way to the server (`app.inject` as `fetch`), with the faults queued by the schedule in front of it. */
class FaultyNetwork {
  readonly faults: Fault[] = []
  constructor(private readonly deliver: (url: string, init: RequestInit) => Promise<Response>) {}
  fetch = async (url: string, init: RequestInit): Promise<Response> => {
    let fault = this.faults.shift()
    // A real 413 only ever meets a batch of several records: a single one this small always fits.
    if (fault === 'status413' && (JSON.parse(String(init.body)) as { records: unknown[] }).records.length < 2) fault = undefined
    if (fault) faultsHit.set(fault, (faultsHit.get(fault) ?? 0) + 1)
    if (fault === 'dropRequest') throw new TypeError('Failed to fetch')
    if (fault === 'status413') return answer(413, { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'too large' })
    if (fault === 'status503') return answer(503, { statusCode: 503, code: 'BUSY', message: 'busy' }, { 'retry-after': '1' })
    if (fault === 'status429') return answer(429, { statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '1' })
    const res = await this.deliver(url, init)
    if (fault === 'dropResponse') throw new TypeError('Failed to fetch')
    return res
  }
}

export function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return new Response(text, { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** What the schedule made, to compare with the server afterwards. */
export interface Made {
  studies: string[]
  poisons: string[]
  likes: boolean[]
  reviews: string[]
  flowingDecisions: string[]
  marks: { id: string; status: string }[]
}

export interface Fixtures {
  reflectionId: string
  flowingRecordId: string
  meetingId: string
}

let phones = 0

/**
 * Runs one schedule on a fresh phone, lets it quiesce, and hands the phone and what it made to
 * `check` (the server side) before the phone is thrown away.
 */
export async function runPhone(
  world: World,
  fixtures: Fixtures,
  schedule: Action[],
  deliver: (url: string, init: RequestInit) => Promise<Response>,
  check: (phone: { count(): Promise<number>; deadLetterIds(): Promise<string[]> }, made: Made) => Promise<void>,
): Promise<void> {
  const net = new FaultyNetwork(deliver)
  const db = new PocketDb(`push-model-${Date.now()}-${phones++}`)
  const made: Made = { studies: [], poisons: [], likes: [], reviews: [], flowingDecisions: [], marks: [] }
  let onPhone: Person = world.leader
  const signInOnPhone = async (p: Person) => {
    onPhone = p
    const session: StoredSession = {
      token: p.token,
      sessionId: `s-${p.id}`,
      expiresAt: Date.now() + 1e9,
      profile: { id: p.id, name: 'x', phone: 'x', orgUnitId: p.orgUnitId, orgUnitName: 'x', isFlowing: false, isElderly: false, roles: [] },
    }
    await db.meta.put({ key: 'session', value: session })
    setOutboxOwner(p.id)
  }
  const env = (): PushEnv => ({ db, fetch: net.fetch, baseUrl: 'http://phone' })
  await signInOnPhone(world.leader)
  try {
    for (const a of schedule) {
      const leaderOnPhone = onPhone === world.leader
      switch (a.t) {
        case 'study':
        case 'memberStudy':
          if (a.t === 'memberStudy' && leaderOnPhone) break
          made.studies.push(await enqueue(db, 'study_event', { lessonId: 'l-model', courseId: 'c-model', kind: 'studied', seconds: 60 }))
          break
        case 'poison':
          made.poisons.push(await enqueue(db, 'study_event', { lessonId: 'l-model', courseId: 'c-model', kind: 'studied', seconds: 999_999 }))
          break
        case 'like':
          if (!leaderOnPhone) break
          await enqueue(db, 'reflection_like', { reflectionId: fixtures.reflectionId, liked: a.liked })
          made.likes.push(a.liked)
          break
        case 'review':
          if (!leaderOnPhone) break
          await enqueue(db, 'reflection_review', { reflectionId: fixtures.reflectionId, status: a.status })
          made.reviews.push(a.status)
          break
        case 'flowingReview':
          if (!leaderOnPhone) break
          await enqueue(db, 'flowing_record_review', { recordId: fixtures.flowingRecordId, decision: a.decision, ...(a.decision === 'returned' ? { reason: '请补充' } : {}) })
          made.flowingDecisions.push(a.decision)
          break
        case 'mark':
          if (!leaderOnPhone) break
          made.marks.push({
            id: await enqueue(db, 'attendance_mark', { meetingId: fixtures.meetingId, orgUnitId: world.leader.orgUnitId, marks: [{ personId: world.member.id, status: a.status }] }),
            status: a.status,
          })
          break
        case 'fault':
          net.faults.push(a.fault)
          break
        case 'drain':
          await drain(env())
          break
        case 'race': {
          // Two pushers without Web Locks: the lease in Dexie lets one through; the other skips.
          const [x, y] = [leaseLock(db), leaseLock(db)]
          await Promise.all([x(() => drain(env())), y(() => drain(env()))])
          break
        }
        case 'switchPerson':
          await signInOnPhone(leaderOnPhone ? world.member : world.leader)
          break
      }
    }
    // Quiesce: the network heals; each person signs in on the phone in turn and sends what is theirs.
    net.faults.length = 0
    for (const p of [world.member, world.leader, world.member]) {
      await signInOnPhone(p)
      const out = await drain(env())
      if (out.type !== 'done') throw new Error(`drain did not finish: ${JSON.stringify(out)}`)
    }
    await check({ count: () => db.outbox.count(), deadLetterIds: async () => (await db.deadLetter.toArray()).map((d) => d.id) }, made)
  } finally {
    setOutboxOwner(undefined)
    db.close()
    await db.delete()
  }
}

