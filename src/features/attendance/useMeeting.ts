import { liveQuery } from 'dexie'
import { onScopeDispose, shallowRef } from 'vue'
import type { MeetingRow } from '@/db/db.ts'
import { attendanceDb } from './attendance.db.ts'

/** One meeting from the phone's cache, following changes (a sync replacing the local copy). */
export function useMeeting(meetingId: string) {
  const meeting = shallowRef<MeetingRow>()
  const sub = liveQuery(() => attendanceDb.meeting(meetingId)).subscribe({ next: (m) => (meeting.value = m) })
  onScopeDispose(() => sub.unsubscribe())
  return meeting
}
