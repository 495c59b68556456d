/**
 * What home's study block shows, loaded before the block appears (after the first paint): the
 * block then shows once, complete, and nothing on the screen moves (Lighthouse's CLS 0).
 */
import { useAuthStore } from '@/features/auth/auth.store.ts'
import { useAssignedStore } from '@/features/assignment/assigned.store.ts'
import { useLibraryStore } from '@/features/library/library.store.ts'
import { usePocketStore } from '@/features/pocket/pocket.store.ts'
import { usePracticeStore } from '@/features/quiz/practice.store.ts'
import { useContentDownloadStore } from '@/features/sync/download.store.ts'
import { liveRefsLoaded } from '@/shared/liveRef.ts'

export async function loadHomeStudy(): Promise<void> {
  await useAuthStore().personalDataClaimed()
  useLibraryStore()
  useAssignedStore()
  usePracticeStore()
  useContentDownloadStore()
  const pocket = usePocketStore()
  await liveRefsLoaded()
  await pocket.loadToday()
}
