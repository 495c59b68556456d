/**
 * Flowing members' record cards 一卡: the member's own records with their review status, and the
 * records a group leader has to confirm or return. Reads are live from Dexie; the network only
 * refreshes the cache, so both screens work offline.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { FlowingRecordRow } from '@/db/db.ts'
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { flowingApi } from './flowing.api.ts'
import { addFlowingRecord, addReview, cacheFlowing, flowingDb } from './flowing.db.ts'

const LEADING = ['group_leader', 'secretary', 'supervisor', 'admin']

export interface FlowingForm {
  heldOn: number
  place: string
  organisation: string
  content: string
  /** Base64 JPEG already shrunk on the phone (≤ 200,000 characters). */
  photo?: string
}

export const useFlowingStore = defineStore('flowing', () => {
  const auth = useAuthStore()
  const me = computed(() => auth.profile?.id ?? '')
  const mine = liveRef(() => flowingDb.mine(me.value), [] as FlowingRecordRow[])
  const queue = liveRef(() => flowingDb.queue(me.value), [] as FlowingRecordRow[])
  const reviewed = liveRef(() => flowingDb.reviewed(me.value), [] as FlowingRecordRow[])
  const confirmed = computed(() => mine.value.filter((r) => r.status === 'confirmed'))
  const groupId = computed(() => auth.profile?.roles.find((r) => LEADING.includes(r.role))?.orgUnitId)
  const refreshing = ref(false)

  /** Reads the member's card (and a leader's queue) from the server; offline it keeps the cache. */
  async function refresh(): Promise<void> {
    const person = me.value
    if (!person) return
    refreshing.value = true
    try {
      if (auth.profile?.isFlowing) await cacheFlowing(person, true, (await flowingApi.mine()).items)
      if (groupId.value) {
        const [pending, recent] = await Promise.all([flowingApi.pending(groupId.value), flowingApi.reviewed(groupId.value)])
        await cacheFlowing(person, false, [...pending.items, ...recent.items])
      }
    } catch {
      // Offline or unreachable: the cache stays as it was.
    } finally {
      refreshing.value = false
    }
  }

  /** Adds a record to the member's card (works offline; pending until a leader reviews it). */
  async function record(form: FlowingForm): Promise<void> {
    const profile = auth.profile
    if (!profile) throw new Error('not signed in')
    await addFlowingRecord(
      {
        recordId: crypto.randomUUID(),
        heldOn: form.heldOn,
        place: form.place.trim(),
        organisation: form.organisation.trim(),
        content: form.content.trim(),
        ...(form.photo ? { photo: form.photo } : {}),
      },
      { id: profile.id, name: profile.name, orgUnitId: profile.orgUnitId },
    )
  }

  /** Confirms a record, or returns it with a reason the member will read. */
  async function review(recordId: string, decision: 'confirmed' | 'returned', reason?: string): Promise<void> {
    await addReview({ recordId, decision, ...(decision === 'returned' ? { reason: (reason ?? '').trim() } : {}) })
  }

  return { mine, queue, reviewed, confirmed, groupId, refreshing, refresh, record, review }
})
