/**
 * The roll call sends what each mark was based on (the mark the leader saw), and shows 已被更正
 * with who and when when the server kept a newer correction over a mark that arrived later.
 */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { db } from '@/db/db.ts'
import { addMarks, createMeeting } from '@/features/attendance/attendance.db.ts'
import RollCallRow from '@/features/attendance/RollCallRow.vue'
import { markFor, useRollCall } from '@/features/attendance/useRollCall.ts'
import { i18n, loadFeatureMessages } from '@/i18n/index.ts'
import type { AttendanceMarkPayload, MarkHistoryEntry, MeetingCreatePayload } from '@/protocol/attendance.ts'

const settle = () => new Promise((r) => setTimeout(r, 40))
const MEETING: MeetingCreatePayload = {
  meetingId: '0b9d3a4e-2222-4222-8333-944455556666',
  orgUnitId: 'group-1',
  type: 'group_meeting',
  startsAt: Date.now(),
  endsAt: Date.now() + 3_600_000,
  place: '田间',
  topic: '学习党章',
  checkinCode: '654321',
}
const TEN = new Date(2026, 11, 3, 10, 0).getTime()
const mark = (over: Partial<MarkHistoryEntry>): MarkHistoryEntry => ({
  seq: 1,
  recordId: 'r1',
  basedOn: null,
  overruledBy: null,
  status: 'present',
  reason: null,
  markedBy: 'leader',
  markedByName: '李组长',
  device: 'leader-phone',
  createdAt: TEN,
  receivedAt: TEN,
  ...over,
})

function rollCall() {
  const scope = effectScope()
  const rc = scope.run(() => useRollCall(MEETING.meetingId, () => '李组长'))!
  return { ...rc, stop: () => scope.stop() }
}
const sentMarks = async () => (await db.outbox.where('kind').equals('attendance_mark').sortBy('seq')).map((r) => (r.payload as AttendanceMarkPayload).marks)

describe('corrections on the roll call', () => {
  beforeAll(() => loadFeatureMessages())
  beforeEach(async () => {
    setActivePinia(createPinia())
    await Promise.all([db.outbox.clear(), db.meetings.clear(), db.attendanceMarks.clear(), db.meetingStates.clear(), db.rosterMembers.clear()])
    await createMeeting(MEETING, 'leader')
    await db.outbox.clear()
  })

  it('bases each mark on the mark the leader sees: the server’s, none, or one made here and not yet answered', async () => {
    await db.meetingStates.put({
      meetingId: MEETING.meetingId,
      fetchedAt: Date.now(),
      attendees: [
        { personId: 'a', name: '党员甲', isFlowing: false, isElderly: false, status: 'leave', history: [mark({ status: 'leave', recordId: 'srv-a' })], markId: 'srv-a' },
        { personId: 'b', name: '党员乙', isFlowing: false, isElderly: false, status: null, history: [], markId: null },
      ],
    })
    const rc = rollCall()
    await settle()
    const [a, b] = rc.entries.value
    await addMarks(MEETING.meetingId, 'group-1', [markFor(a!, 'present'), markFor(b!, 'absent')])
    await settle()
    const firstRecord = (await db.outbox.toArray())[0]!.id
    // Offline, the leader changes their own unsent mark: based on it, not on "nothing".
    await addMarks(MEETING.meetingId, 'group-1', [markFor(rc.entries.value[1]!, 'leave', '生病')])
    expect(await sentMarks()).toEqual([
      [
        { personId: 'a', status: 'present', basedOn: 'srv-a' },
        { personId: 'b', status: 'absent', basedOn: null },
      ],
      [{ personId: 'b', status: 'leave', reason: '生病', basedOn: firstRecord }],
    ])
    rc.stop()
  })

  it('shows 已被更正 with who and when on the member’s row once the server kept a newer correction, until the leader marks again', async () => {
    const correction = mark({ recordId: 'srv-leave', status: 'leave', reason: '生病', markedBy: 'sec', markedByName: '王书记' })
    const stale = mark({ seq: 1, recordId: 'mine', status: 'present', overruledBy: { name: '王书记', status: 'leave', at: TEN } })
    await db.meetingStates.put({
      meetingId: MEETING.meetingId,
      fetchedAt: Date.now() + 1000,
      attendees: [{ personId: 'a', name: '党员甲', isFlowing: false, isElderly: false, status: 'leave', history: [correction, stale], markId: 'srv-leave' }],
    })
    const rc = rollCall()
    await settle()
    const entry = rc.entries.value[0]!
    expect(entry).toMatchObject({ status: 'leave', reason: '生病', markId: 'srv-leave', corrected: { name: '王书记', status: 'leave', at: TEN } })
    expect(entry.history.map((h) => h.overruled)).toEqual([false, true])

    const row = mount(RollCallRow, { props: { entry }, global: { plugins: [i18n] } })
    const notice = row.get('[data-testid="roll-corrected"]').text()
    expect(notice).toContain('已被更正')
    expect(notice).toContain('王书记')
    expect(notice).toContain(i18n.global.d(new Date(TEN), 'short'))
    expect(notice).toContain('请假')
    await row.get('button.who').trigger('click')
    expect(row.get('.history').text()).toContain('未采用')

    // English too.
    i18n.global.locale.value = 'en'
    try {
      const { default: en } = await import('@/i18n/en.ts')
      i18n.global.setLocaleMessage('en', en)
      const english = mount(RollCallRow, { props: { entry }, global: { plugins: [i18n] } })
      expect(english.get('[data-testid="roll-corrected"]').text()).toMatch(/^Corrected: 王书记 marked “Leave”/)
    } finally {
      i18n.global.locale.value = 'zh-CN'
    }

    // The leader, having seen it, marks again: their new mark shows, based on the correction.
    await addMarks(MEETING.meetingId, 'group-1', [markFor(entry, 'present')])
    await settle()
    expect(rc.entries.value[0]).toMatchObject({ status: 'present', corrected: null })
    expect((await sentMarks())[0]).toEqual([{ personId: 'a', status: 'present', basedOn: 'srv-leave' }])
    rc.stop()
  })

  it('says nothing when the overruled mark said the same: the leader’s offline 出席 after the member checked in', async () => {
    const checkedIn = mark({ recordId: 'checkin', status: 'checked_in', markedBy: 'a', markedByName: '党员甲' })
    const present = mark({ recordId: 'all-present', status: 'present', overruledBy: { name: '党员甲', status: 'checked_in', at: TEN } })
    await db.meetingStates.put({
      meetingId: MEETING.meetingId,
      fetchedAt: Date.now() + 1000,
      attendees: [{ personId: 'a', name: '党员甲', isFlowing: false, isElderly: false, status: 'checked_in', history: [checkedIn, present], markId: 'checkin' }],
    })
    const rc = rollCall()
    await settle()
    expect(rc.entries.value[0]).toMatchObject({ status: 'checked_in', corrected: null })
    rc.stop()
  })
})
