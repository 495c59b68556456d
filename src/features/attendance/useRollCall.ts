/**
 * One meeting's roll call on the leader's phone: the roster with everyone's current status,
 * merging the server's answer with marks made here that the server has not confirmed yet.
 *
 * Rule: a mark made on this phone after the server's answer was read (or still in the outbox)
 * shows; otherwise the server's status shows. Once the outbox drains the answer is read again,
 * so every phone ends on the server's order: the same list on every phone.
 */
import { liveQuery, type Subscription } from 'dexie'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'
import type { LocalMarkRow, MeetingRow, MeetingStateRow, RosterRow } from '@/db/db.ts'
import type { AttendanceStatus, Correction, MarkEntry, MarkHistoryEntry, MarkStatus } from '@/protocol/attendance.ts'
import { sameOutcome } from '@/protocol/attendanceOutcome.ts'
import { serverTime } from '@/features/sync/clock.ts'
import { attendanceDb } from './attendance.db.ts'
import { useAttendanceStore } from './attendance.store.ts'

export interface RollCallHistoryEntry {
  status: AttendanceStatus
  reason: string | null
  by: string
  device: string | null
  at: number
  waiting: boolean
  /** Arrived based on an older mark than the one in force: kept, not applied. */
  overruled: boolean
}

export interface RollCallEntry {
  personId: string
  name: string
  isFlowing: boolean
  isElderly: boolean
  status: AttendanceStatus | null
  reason: string | null
  /** A mark for this person is still in the outbox. */
  waiting: boolean
  history: RollCallHistoryEntry[]
  /**
   * The mark shown (its record id), what a new mark made here is based on: a mark made here the
   * server has not answered for yet, else the server's current mark; null = none; undefined =
   * unknown (a server answer cached by an older app version).
   */
  markId: string | null | undefined
  /** 已被更正: the newest mark on the server lost to the one in force; who made that and when. */
  corrected: Correction | null
}

/**
 * A new mark for this entry, based on the mark the leader sees: the server applies it only if
 * nobody changed that mark meanwhile (docs/sync-protocol.md, "Conflict rules").
 */
export function markFor(entry: RollCallEntry, status: MarkStatus, reason?: string): MarkEntry {
  return { personId: entry.personId, status, ...(reason ? { reason } : {}), ...(entry.markId !== undefined ? { basedOn: entry.markId } : {}) }
}

function live<T>(query: () => Promise<T>, initial: T, subs: Subscription[]) {
  const r = shallowRef(initial)
  subs.push(liveQuery(query).subscribe({ next: (v) => (r.value = v), error: (e: unknown) => console.error('live query failed', e) }))
  return r
}

/** How often a roll call whose server answer is out of date asks again. */
const REREAD_MS = 5_000

export function useRollCall(meetingId: string, myName: () => string) {
  const store = useAttendanceStore()
  const subs: Subscription[] = []
  onScopeDispose(() => subs.forEach((s) => s.unsubscribe()))

  const meeting = live<MeetingRow | undefined>(() => attendanceDb.meeting(meetingId), undefined, subs)
  const state = live<MeetingStateRow | undefined>(() => attendanceDb.state(meetingId), undefined, subs)
  const marks = live<LocalMarkRow[]>(() => attendanceDb.marks(meetingId), [], subs)
  const roster = live<RosterRow[]>(attendanceDb.allRoster, [], subs)
  const pending = live<Set<string>>(attendanceDb.pendingIds, new Set(), subs)

  /** A mark made here that the server's answer on this phone does not hold yet: still waiting, or sent after that answer was read. */
  const notInAnswer = (mark: LocalMarkRow): boolean => pending.value.has(mark.recordId) || mark.createdAt > (state.value?.fetchedAt ?? 0)

  const entries = computed<RollCallEntry[]>(() => {
    const m = meeting.value
    if (!m) return []
    const base = state.value
      ? state.value.attendees.filter((a) => !a.guestFrom)
      : (() => {
          const own = roster.value.filter((p) => p.orgUnitId === m.orgUnitId)
          return (own.length ? own : roster.value).map((p) => ({
            personId: p.id,
            name: p.name,
            isFlowing: p.isFlowing,
            isElderly: p.isElderly,
            status: null,
            history: [] as MarkHistoryEntry[],
            markId: null,
          }))
        })()
    const localByPerson = new Map<string, LocalMarkRow[]>()
    for (const mark of marks.value) {
      const list = localByPerson.get(mark.personId) ?? []
      list.push(mark)
      localByPerson.set(mark.personId, list)
    }
    return base.map((a) => {
      const local = localByPerson.get(a.personId) ?? []
      const unseen = local.filter(notInAnswer)
      const last = unseen.at(-1)
      // The mark in force: overruled entries (history only) never are.
      const inForce = [...a.history].reverse().find((h) => !h.overruledBy)
      const newest = a.history.at(-1)
      const history: RollCallHistoryEntry[] = [
        ...a.history.map((h) => ({ status: h.status, reason: h.reason, by: h.markedByName, device: h.device, at: h.createdAt, waiting: false, overruled: !!h.overruledBy })),
        ...local
          .filter((l) => pending.value.has(l.recordId))
          .map((l) => ({ status: l.status, reason: l.reason, by: myName(), device: null, at: serverTime(l.createdAt), waiting: true, overruled: false })),
      ]
      return {
        personId: a.personId,
        name: a.name,
        isFlowing: a.isFlowing,
        isElderly: a.isElderly,
        status: last?.status ?? a.status,
        reason: last ? last.reason : (inForce?.reason ?? null),
        waiting: local.some((l) => pending.value.has(l.recordId)),
        history,
        markId: last ? last.recordId : a.markId,
        // Once the leader marks again here, that mark shows instead of the notice.
        corrected: !last && newest?.overruledBy && !sameOutcome(newest.status, newest.overruledBy.status) ? newest.overruledBy : null,
      }
    })
  })

  /** Flowing members of other units who checked in as guests (known once the server answered). */
  const guests = computed(() => (state.value?.attendees ?? []).filter((a) => a.guestFrom))

  /** Outbox records of this meeting not yet on the server (the meeting itself, each burst of marks). */
  const waitingCount = computed(() => {
    const records = new Set(marks.value.filter((m) => pending.value.has(m.recordId)).map((m) => m.recordId))
    const created = meeting.value?.recordId
    if (created && pending.value.has(created)) records.add(created)
    return records.size
  })
  const counts = computed(() => {
    const c: Record<AttendanceStatus | 'unmarked', number> = { present: 0, checked_in: 0, remote: 0, leave: 0, absent: 0, unmarked: 0 }
    for (const e of entries.value) c[e.status ?? 'unmarked']++
    return c
  })

  // The outbox drained: read the server's answer, so this phone shows the merged list.
  watch(waitingCount, (now, before) => {
    if (before > 0 && now === 0) void store.refreshMeeting(meetingId)
  })
  void store.refreshMeeting(meetingId)

  // Marks the server holds (sent) that the answer on this phone predates: that read failed (a weak
  // link, a busy server). Ask again every few seconds until it arrives, or the list would keep
  // showing this phone's marks over the merged one.
  const unread = computed(() => marks.value.some((m) => !pending.value.has(m.recordId) && notInAnswer(m)))
  let retry: ReturnType<typeof setInterval> | undefined
  watch(unread, (now) => {
    clearInterval(retry)
    retry = now ? setInterval(() => void store.refreshMeeting(meetingId), REREAD_MS) : undefined
  })
  onScopeDispose(() => clearInterval(retry))

  /** Nothing waits and the server's answer here covers every mark sent: the list is the server's. */
  const confirmed = computed(() => waitingCount.value === 0 && state.value !== undefined && !unread.value)

  return { meeting, entries, guests, counts, waitingCount, confirmed }
}
