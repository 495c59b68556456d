/**
 * Meetings and attendance on the phone. Every write (a new meeting, a burst of roll-call marks, a
 * check-in) is one Dexie transaction that makes its local effect AND its outbox record, so the
 * screen and the outbox never disagree, offline, across reloads and app updates.
 */
import { db, type HomeVisitRow, type LocalCheckinRow, type LocalMarkRow, type MeetingRow, type MeetingStateRow, type RosterRow } from '@/db/db.ts'
import type { HomeVisitPayload, MarkEntry, MeetingCreatePayload, MyAttendance } from '@/protocol/attendance.ts'
import type { MeetingRate, MemberRate, UnitOverview } from '@/protocol/attendanceOverview.ts'
import { enqueue } from '@/features/sync/outbox.db.ts'

const MINE_KEY = 'attendance.mine'
const OVERVIEW_KEY = 'attendance.overview'

/** First pages of one unit's overview as last read from the server. */
export interface OverviewSnapshot {
  unit: UnitOverview
  parentId: string | null
  units: Page<UnitOverview>
  meetings: Page<MeetingRate>
  inactive: Page<MemberRate>
  fetchedAt: number
}
interface Page<T> {
  items: T[]
  next: string | null
}

export const attendanceDb = {
  meetings: (): Promise<MeetingRow[]> => db.meetings.orderBy('startsAt').reverse().toArray(),
  meeting: (id: string) => db.meetings.get(id),
  roster: (orgUnitId: string): Promise<RosterRow[]> => db.rosterMembers.where('orgUnitId').equals(orgUnitId).sortBy('name'),
  allRoster: (): Promise<RosterRow[]> => db.rosterMembers.toCollection().sortBy('name'),
  marks: (meetingId: string): Promise<LocalMarkRow[]> => db.attendanceMarks.where('meetingId').equals(meetingId).sortBy('localSeq'),
  state: (meetingId: string) => db.meetingStates.get(meetingId),
  checkins: (): Promise<LocalCheckinRow[]> => db.checkins.orderBy('createdAt').reverse().toArray(),
  /** Ids of records still waiting in the outbox, for "waiting to sync" beside a write. */
  pendingIds: async (): Promise<Set<string>> =>
    new Set((await db.outbox.where('kind').anyOf(['meeting_create', 'attendance_mark', 'checkin']).toArray()).map((r) => r.id)),
  /** Check-ins the server refused outright (moved to the dead letters), by id. */
  refusedCheckins: async (): Promise<Map<string, { code: string; message: string }>> =>
    new Map((await db.deadLetter.filter((r) => r.kind === 'checkin').toArray()).map((r) => [r.id, { code: r.code, message: r.message }])),
  homeVisits: (orgUnitId: string): Promise<HomeVisitRow[]> => db.homeVisits.where('orgUnitId').equals(orgUnitId).reverse().sortBy('visitedAt'),
  mine: async (): Promise<MyAttendance | undefined> => (await db.meta.get(MINE_KEY))?.value as MyAttendance | undefined,
  overview: async (orgUnitId: string): Promise<OverviewSnapshot | undefined> => (await overviews())[orgUnitId],
}

const overviews = async () => ((await db.meta.get(OVERVIEW_KEY))?.value ?? {}) as Record<string, OverviewSnapshot>

/**
 * The last overview of each unit read online, so a leader in the field still sees it offline.
 * One meta key (cleared with the other personal data at sign-out), a few units at most.
 */
export async function cacheOverview(snapshot: OverviewSnapshot): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const all = await overviews()
    const kept = Object.values(all)
      .filter((o) => o.unit.orgUnitId !== snapshot.unit.orgUnitId)
      .sort((a, b) => b.fetchedAt - a.fetchedAt)
      .slice(0, 9)
    await db.meta.put({ key: OVERVIEW_KEY, value: Object.fromEntries([snapshot, ...kept].map((o) => [o.unit.orgUnitId, o])) })
  })
}

/**
 * Creates a meeting on this phone and queues `meeting_create`. Offline this is all that happens:
 * roll call and the check-in code work at once, the server hears of it on the next sync.
 */
export async function createMeeting(payload: MeetingCreatePayload, createdBy: string): Promise<void> {
  await db.transaction('rw', [db.meetings, db.outbox], async () => {
    const { meetingId, lessonId, ...rest } = payload
    const recordId = await enqueue(db, 'meeting_create', payload)
    await db.meetings.put({ ...rest, id: meetingId, lessonId: lessonId ?? null, createdBy, local: true, recordId })
  })
}

/** Appends marks (one outbox record for the burst, e.g. "all present" for 15 people). */
export async function addMarks(meetingId: string, orgUnitId: string, marks: MarkEntry[], now = Date.now()): Promise<void> {
  if (marks.length === 0) return
  await db.transaction('rw', [db.attendanceMarks, db.outbox], async () => {
    const recordId = await enqueue(db, 'attendance_mark', { meetingId, orgUnitId, marks })
    await db.attendanceMarks.bulkAdd(
      marks.map((m) => ({ recordId, meetingId, personId: m.personId, status: m.status, reason: m.reason ?? null, createdAt: now })),
    )
  })
}

/** Queues a check-in with the typed (or scanned) code; works with no network at all. */
export async function addCheckin(code: string, meetingId: string | null, token?: string, now = Date.now()): Promise<string> {
  return db.transaction('rw', [db.checkins, db.outbox], async () => {
    const id = await enqueue(db, 'checkin', meetingId ? { code, meetingId, ...(token ? { token } : {}) } : { code })
    await db.checkins.put({ id, code, meetingId, createdAt: now })
    return id
  })
}

/** Replaces the cached roster of a unit with what the server sent. */
export async function cacheRoster(orgUnitIds: string[], members: RosterRow[]): Promise<void> {
  await db.transaction('rw', db.rosterMembers, async () => {
    await db.rosterMembers.where('orgUnitId').anyOf(orgUnitIds).delete()
    await db.rosterMembers.bulkPut(members)
  })
}

/** Server meetings replace local copies (the server confirmed them); meetings only here stay. */
export async function cacheMeetings(meetings: MeetingRow[]): Promise<void> {
  await db.meetings.bulkPut(meetings.map((m) => ({ ...m, local: false })))
}

export async function cacheMeetingState(row: MeetingStateRow): Promise<void> {
  await db.meetingStates.put(row)
}

export async function cacheMine(value: MyAttendance): Promise<void> {
  await db.meta.put({ key: MINE_KEY, value })
}

/** Records a home visit (photo included in the outbox record only) and shows it at once. */
export async function addHomeVisit(payload: HomeVisitPayload, personName: string): Promise<void> {
  await db.transaction('rw', [db.homeVisits, db.outbox], async () => {
    const recordId = await enqueue(db, 'home_visit', payload)
    await db.homeVisits.put({
      id: payload.visitId,
      orgUnitId: payload.orgUnitId,
      personId: payload.personId,
      personName,
      visitedAt: payload.visitedAt,
      studied: payload.studied,
      note: payload.note,
      hasPhoto: !!payload.photo,
      recordId,
    })
  })
}

export async function cacheHomeVisits(rows: HomeVisitRow[]): Promise<void> {
  await db.homeVisits.bulkPut(rows)
}
