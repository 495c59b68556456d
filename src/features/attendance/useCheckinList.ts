/**
 * The member's check-ins made on this phone, each with where it stands: still in the outbox
 * (`local`), on the server waiting for its meeting (`pending`), `accepted` or `refused` (later,
 * by the server's list, or at once: the push answer moved it to the dead letters).
 */
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { attendanceDb } from './attendance.db.ts'
import { useAttendanceStore } from './attendance.store.ts'

export interface CheckinListRow {
  id: string
  code: string
  /** The meeting's topic once the server matched the check-in to it. */
  topic: string | null
  createdAt: number
  state: 'local' | 'pending' | 'accepted' | 'refused'
  reason: string | null
}

/** Refusals the member can act on, in their language; others keep the server's sentence. */
const REASONS = ['CHECKIN_CODE', 'CHECKIN_LOCKED', 'CHECKIN_QR_ONLY']

export function useCheckinList() {
  const store = useAttendanceStore()
  const { t } = useI18n()
  const pending = shallowRef(new Set<string>())
  const refused = shallowRef(new Map<string, { code: string; message: string }>())
  const sub = liveQuery(attendanceDb.pendingIds).subscribe({ next: (ids) => (pending.value = ids) })
  const refusedSub = liveQuery(attendanceDb.refusedCheckins).subscribe({ next: (codes) => (refused.value = codes) })
  onScopeDispose(() => {
    sub.unsubscribe()
    refusedSub.unsubscribe()
  })
  return computed<CheckinListRow[]>(() => {
    const server = new Map((store.mine?.checkins ?? []).map((c) => [c.id, c]))
    const topics = new Map((store.mine?.meetings ?? []).map((m) => [m.meeting.id, m.meeting.topic]))
    return store.checkins.map((c) => {
      const known = server.get(c.id)
      const refusal = refused.value.get(c.id)
      if (refusal && !pending.value.has(c.id)) {
        const reason = REASONS.includes(refusal.code) ? t(`attendance.checkin.reasons.${refusal.code}`) : refusal.message
        return { id: c.id, code: c.code, topic: null, createdAt: c.createdAt, state: 'refused' as const, reason }
      }
      const state = pending.value.has(c.id) ? 'local' : (known?.state ?? 'pending')
      // A guest's meeting (another branch) is not among `meetings`: the server names it.
      const topic = known?.meetingId ? (topics.get(known.meetingId) ?? known.topic ?? null) : null
      return { id: c.id, code: c.code, topic, createdAt: c.createdAt, state, reason: known?.reason ?? null }
    })
  })
}
