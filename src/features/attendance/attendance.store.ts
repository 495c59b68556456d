/**
 * Meetings and attendance for the screens: the leader's group, its meetings and roster (cached
 * for offline roll call), and the member's own check-ins and attendance. Reads are live from
 * Dexie; the network only refreshes the cache, so every screen works offline.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { HomeVisitRow, LocalCheckinRow, MeetingRow } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import type { MarkEntry, MeetingCreatePayload, MeetingType, MyAttendance, RosterMember } from '@/protocol/attendance.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { attendanceApi } from './attendance.api.ts'
import { makeCheckinToken } from './checkinLink.ts'
import { addCheckin, addHomeVisit, addMarks, attendanceDb, cacheHomeVisits, cacheMeetings, cacheMeetingState, cacheMine, cacheRoster, createMeeting } from './attendance.db.ts'

const LEADING = ['group_leader', 'secretary', 'supervisor', 'admin']

export interface MeetingForm {
  type: MeetingType
  startsAt: number
  minutes: number
  place: string
  topic: string
  lessonId?: string
}

/** Six random digits from the phone's CSPRNG: the server cannot be asked for a code offline. */
function makeCode(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000
  return String(n).padStart(6, '0')
}

export const useAttendanceStore = defineStore('attendance', () => {
  const auth = useAuthStore()
  const meetings = liveRef(attendanceDb.meetings, [] as MeetingRow[])
  const checkins = liveRef(attendanceDb.checkins, [] as LocalCheckinRow[])
  const mine = liveRef(attendanceDb.mine, undefined as MyAttendance | undefined)
  const refreshing = ref(false)

  /** The unit this person leads (their first leading role); undefined for plain members. */
  const groupId = computed(() => auth.profile?.roles.find((r) => LEADING.includes(r.role))?.orgUnitId)
  const groupMeetings = computed(() => meetings.value.filter((m) => m.orgUnitId === groupId.value))
  const roster = liveRef(attendanceDb.allRoster, [] as RosterMember[])
  const visits = liveRef(() => (groupId.value ? attendanceDb.homeVisits(groupId.value) : Promise.resolve([])), [] as HomeVisitRow[])

  /**
   * Refreshes the cached roster and meetings of the leader's group, or the member's own page.
   * Offline (or on any error) it quietly keeps the cache: the screens never depend on it.
   */
  async function refresh(): Promise<void> {
    refreshing.value = true
    try {
      const unit = groupId.value
      if (unit) {
        const roster = []
        let cursor: string | undefined
        do {
          const page = await attendanceApi.roster(unit, cursor)
          roster.push(...page.items)
          cursor = page.next ?? undefined
        } while (cursor)
        await cacheRoster([...new Set([unit, ...roster.map((m) => m.orgUnitId)])], roster)
        await cacheMeetings((await attendanceApi.meetings(unit)).items)
        const visited = (await attendanceApi.homeVisits(unit)).items
        await cacheHomeVisits(visited.map(({ visitedBy: _b, visitedByName: _n, lessonId: _l, ...v }) => v))
      }
      await cacheMine(await attendanceApi.mine())
    } catch {
      // Offline or unreachable: the cache stays as it was.
    } finally {
      refreshing.value = false
    }
  }

  /** Reads the server's answer for one meeting into the cache; offline it keeps the last one. */
  async function refreshMeeting(meetingId: string): Promise<void> {
    try {
      const detail = await attendanceApi.meeting(meetingId)
      await cacheMeetingState({ meetingId, fetchedAt: Date.now(), attendees: detail.attendees })
      await cacheMeetings([detail.meeting])
    } catch {
      // Not on the server yet (still in the outbox) or offline: the local marks show.
    }
  }

  /** Creates a meeting on this phone (works offline) and returns its id. */
  async function create(form: MeetingForm): Promise<string> {
    const unit = groupId.value
    const me = auth.profile?.id
    if (!unit || !me) throw new Error('not a leader')
    const payload: MeetingCreatePayload = {
      meetingId: crypto.randomUUID(),
      orgUnitId: unit,
      type: form.type,
      startsAt: form.startsAt,
      endsAt: form.startsAt + form.minutes * 60_000,
      place: form.place.trim(),
      topic: form.topic.trim(),
      checkinCode: makeCode(),
      checkinToken: makeCheckinToken(),
      ...(form.lessonId ? { lessonId: form.lessonId } : {}),
    }
    await createMeeting(payload, me)
    return payload.meetingId
  }

  /** Appends marks for a meeting (one outbox record); offline they wait in the outbox. */
  async function mark(meeting: MeetingRow, marks: MarkEntry[]): Promise<void> {
    await addMarks(meeting.id, meeting.orgUnitId, marks.map((m) => ({ ...m })))
  }

  /**
   * Queues a check-in with a 6-digit code, and the meeting id and its token when a QR code gave
   * them (the token checks in even while too many wrong typed codes lock this person out).
   */
  async function checkIn(code: string, meetingId?: string, token?: string): Promise<void> {
    await addCheckin(code, meetingId ?? null, token)
  }

  /**
   * Records a home visit 上门送学 (works offline; the photo, already shrunk to fit one push
   * batch, travels in the outbox record).
   */
  async function recordVisit(visit: { personId: string; studied: string; note: string; photo?: string; lessonId?: string }): Promise<void> {
    const unit = groupId.value
    const person = roster.value.find((p) => p.id === visit.personId)
    if (!unit || !person) throw new Error('not a member of the group')
    await addHomeVisit(
      {
        visitId: crypto.randomUUID(),
        orgUnitId: unit,
        personId: person.id,
        visitedAt: Date.now(),
        studied: visit.studied.trim(),
        note: visit.note.trim(),
        ...(visit.photo ? { photo: visit.photo } : {}),
        ...(visit.lessonId ? { lessonId: visit.lessonId } : {}),
      },
      person.name,
    )
  }

  return { roster, visits, recordVisit, meetings, groupMeetings, checkins, mine, groupId, refreshing, refresh, refreshMeeting, create, mark, checkIn }
})
