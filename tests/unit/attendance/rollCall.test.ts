import Dexie from 'dexie'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { db } from '@/db/db.ts'
import { addCheckin, addMarks, createMeeting } from '@/features/attendance/attendance.db.ts'
import { useRollCall } from '@/features/attendance/useRollCall.ts'
import type { MeetingAttendee, MeetingCreatePayload } from '@/protocol/attendance.ts'

/** Lets Dexie's live queries deliver their next value. */
const settle = () => new Promise((r) => setTimeout(r, 40))

const MEETING: MeetingCreatePayload = {
  meetingId: '0b9d3a4e-1111-4222-8333-944455556666',
  orgUnitId: 'group-1',
  type: 'group_meeting',
  startsAt: Date.now(),
  endsAt: Date.now() + 3_600_000,
  place: '村委会',
  topic: '学习党章',
  checkinCode: '123456',
}
const people = ['a', 'b', 'c'].map((id) => ({ id, name: `党员${id}`, orgUnitId: 'group-1', isFlowing: id === 'b', isElderly: id === 'c' }))

function rollCall() {
  const scope = effectScope()
  const rc = scope.run(() => useRollCall(MEETING.meetingId, () => '组长'))!
  return { ...rc, stop: () => scope.stop() }
}

describe('roll call on the phone', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await Promise.all([db.outbox.clear(), db.meetings.clear(), db.attendanceMarks.clear(), db.meetingStates.clear(), db.rosterMembers.clear(), db.checkins.clear()])
    await db.rosterMembers.bulkPut(people)
  })

  it('writes the meeting, each burst of marks and a check-in together with their outbox records', async () => {
    await createMeeting(MEETING, 'leader')
    await addMarks(MEETING.meetingId, 'group-1', people.map((p) => ({ personId: p.id, status: 'present' as const })))
    await addCheckin('123456', null)
    const outbox = await db.outbox.orderBy('seq').toArray()
    expect(outbox.map((r) => r.kind)).toEqual(['meeting_create', 'attendance_mark', 'checkin'])
    expect((await db.meetings.get(MEETING.meetingId))?.recordId).toBe(outbox[0]!.id)
    const marks = await db.attendanceMarks.toArray()
    expect(marks).toHaveLength(3)
    expect(new Set(marks.map((m) => m.recordId))).toEqual(new Set([outbox[1]!.id]))
    expect((await db.checkins.toArray())[0]!.id).toBe(outbox[2]!.id)
  })

  it('rolls back the local marks when the outbox write fails, so the screen never shows an unsent mark', async () => {
    await createMeeting(MEETING, 'leader')
    const add = vi.spyOn(db.outbox, 'add').mockImplementation(() => Dexie.Promise.reject(new Error('disk full')))
    try {
      await expect(addMarks(MEETING.meetingId, 'group-1', [{ personId: 'a', status: 'absent' }])).rejects.toThrow()
    } finally {
      add.mockRestore()
    }
    expect(await db.attendanceMarks.count()).toBe(0)
  })

  it('shows marks made here until the server answers, then the server’s order, the same on every phone', async () => {
    await createMeeting(MEETING, 'leader')
    const rc = rollCall()
    await settle()
    expect(rc.entries.value.map((e) => e.status)).toEqual([null, null, null])
    await addMarks(MEETING.meetingId, 'group-1', people.map((p) => ({ personId: p.id, status: 'present' as const })))
    await settle()
    expect(rc.entries.value.map((e) => e.status)).toEqual(['present', 'present', 'present'])
    expect(rc.waitingCount.value).toBe(2)
    expect(rc.entries.value.find((e) => e.personId === 'b')!.isFlowing).toBe(true)

    // Synced; another leader's later correction for "a" reached the server after ours.
    await db.outbox.clear()
    const history = (status: MeetingAttendee['status'], seq: number, by: string) => ({
      seq,
      recordId: `r${seq}`,
      basedOn: null,
      overruledBy: null,
      status: status!,
      reason: null,
      markedBy: by,
      markedByName: by,
      device: `${by}-phone`,
      createdAt: Date.now(),
      receivedAt: Date.now(),
    })
    await db.meetingStates.put({
      meetingId: MEETING.meetingId,
      fetchedAt: Date.now() + 1000,
      attendees: people.map((p, i) => ({
        personId: p.id,
        name: p.name,
        isFlowing: p.isFlowing,
        isElderly: p.isElderly,
        status: p.id === 'a' ? 'leave' : 'present',
        history: p.id === 'a' ? [history('present', 1, 'me'), history('leave', 4, 'other')] : [history('present', i + 1, 'me')],
        markId: p.id === 'a' ? 'r4' : `r${i + 1}`,
      })),
    })
    await settle()
    expect(rc.waitingCount.value).toBe(0)
    expect(rc.entries.value.map((e) => e.status)).toEqual(['leave', 'present', 'present'])
    expect(rc.entries.value[0]!.history.map((h) => `${h.status}:${h.by}`)).toEqual(['present:me', 'leave:other'])
    expect(rc.counts.value).toMatchObject({ present: 2, leave: 1, unmarked: 0 })
    rc.stop()
  })

  it('lists guests from other branches apart: not on the roster, not in the counts, not in "all present"', async () => {
    await createMeeting(MEETING, 'leader')
    await db.outbox.clear()
    const rc = rollCall()
    await db.meetingStates.put({
      meetingId: MEETING.meetingId,
      fetchedAt: Date.now(),
      attendees: [
        ...people.map((p) => ({ personId: p.id, name: p.name, isFlowing: p.isFlowing, isElderly: p.isElderly, status: null, history: [], markId: null })),
        { personId: 'g', name: '来宾', isFlowing: true, isElderly: false, status: 'checked_in' as const, history: [], markId: 'g1', guestFrom: '桃园村党支部 第一党小组' },
      ],
    })
    await settle()
    expect(rc.entries.value.map((e) => e.personId)).toEqual(['a', 'b', 'c'])
    expect(rc.guests.value.map((g) => [g.personId, g.guestFrom])).toEqual([['g', '桃园村党支部 第一党小组']])
    expect(rc.counts.value).toMatchObject({ checked_in: 0, unmarked: 3 })
    rc.stop()
  })

  it('asks the server again when its answer after the upload failed, until the merged list arrives', async () => {
    await createMeeting(MEETING, 'leader')
    await addMarks(MEETING.meetingId, 'group-1', people.map((p) => ({ personId: p.id, status: 'present' as const })))
    const merged = people.map((p) => ({ personId: p.id, name: p.name, isFlowing: p.isFlowing, isElderly: p.isElderly, status: p.id === 'a' ? ('checked_in' as const) : ('present' as const), history: [], markId: `m-${p.id}` }))
    // The read on opening (offline) and the one right after the upload are lost; the next answers.
    let reads = 0
    vi.stubGlobal('fetch', vi.fn(async () => {
      reads++
      if (reads <= 2) throw new TypeError('connection reset')
      return new Response(JSON.stringify({ meeting: { id: MEETING.meetingId }, attendees: merged }), { status: 200, headers: { 'content-type': 'application/json' } })
    }))
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const rc = rollCall()
      await settle()
      expect(rc.waitingCount.value).toBe(2)
      await db.outbox.clear() // the upload went through (possibly from the service worker)
      await settle()
      await settle()
      expect(rc.entries.value.map((e) => e.status)).toEqual(['present', 'present', 'present'])
      await vi.advanceTimersByTimeAsync(5_000)
      await settle()
      expect(rc.entries.value.map((e) => e.status)).toEqual(['checked_in', 'present', 'present'])
      rc.stop()
    } finally {
      vi.useRealTimers()
      vi.unstubAllGlobals()
    }
  })
})
