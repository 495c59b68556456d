import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { PocketCategory } from '@/protocol/content.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { pocketDb, type EntryMeta } from './pocket.db.ts'

/** Days since 1970 in local time: "today's entry" changes at local midnight. */
function dayNumber(now: Date): number {
  return Math.floor((now.getTime() - now.getTimezoneOffset() * 60_000) / 86_400_000)
}

export const usePocketStore = defineStore('pocket', () => {
  const categories = liveRef(pocketDb.categories, [] as PocketCategory[])
  const counts = liveRef(pocketDb.counts, {} as Record<string, number>)
  const total = computed(() => Object.values(counts.value).reduce((a, b) => a + b, 0))
  const today = ref<EntryMeta>()

  /** Same entry all day on every phone with the same content, a new one tomorrow. Offline-safe. */
  async function loadToday(now = new Date()): Promise<void> {
    const n = await pocketDb.count()
    today.value = n ? await pocketDb.nth((dayNumber(now) * 7919) % n) : undefined
  }

  async function randomEntry(exceptId?: string): Promise<EntryMeta | undefined> {
    const n = await pocketDb.count()
    if (!n) return undefined
    let pick = await pocketDb.nth(Math.floor(Math.random() * n))
    if (pick?.id === exceptId && n > 1) pick = await pocketDb.nth(Math.floor(Math.random() * n))
    return pick
  }

  return {
    categories,
    counts,
    total,
    today,
    loadToday,
    randomEntry,
    entriesOf: pocketDb.entriesOf,
    loadEntry: pocketDb.entry,
  }
})
