import { afterEach, beforeEach } from 'vitest'
import { PocketDb, type StoredSession } from '@/db/db.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'
import type { StudyEventPayload } from '@/protocol/sync.ts'
import { FakePushServer } from './fakeServer.ts'

let serial = 0

/** A fresh, uniquely named database: one per test, like one phone. */
export function freshDb(): PocketDb {
  return new PocketDb(`sync-test-${Date.now()}-${serial++}`)
}

export async function signInAs(db: PocketDb, token = 'tok', personId = 'p1'): Promise<void> {
  const session: StoredSession = {
    token,
    sessionId: `s-${token}`,
    expiresAt: Date.now() + 1e9,
    profile: { id: personId, name: '王建国', phone: '13800000001', orgUnitId: 'g1', orgUnitName: '第一党小组', isFlowing: false, isElderly: false, roles: [] },
  }
  await db.meta.put({ key: 'session', value: session })
}

export function studyPayload(seconds = 60): StudyEventPayload {
  return { lessonId: 'lesson-1', courseId: 'course-1', kind: 'studied', seconds }
}

export async function enqueueMany(db: PocketDb, n: number, seconds = 60): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push(await enqueue(db, 'study_event', studyPayload(seconds)))
  return ids
}

/** A signed-in phone and a fake server, fresh for each test of the calling `describe`. */
export function usePhoneAndServer(): { db: PocketDb; server: FakePushServer } {
  const fixture = {} as { db: PocketDb; server: FakePushServer }
  beforeEach(async () => {
    fixture.db = freshDb()
    fixture.server = new FakePushServer()
    await signInAs(fixture.db)
  })
  afterEach(() => fixture.db.delete())
  return fixture
}
