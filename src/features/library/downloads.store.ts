import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import type { DownloadRow } from '@/db/db.ts'
import type { Course } from '@/protocol/content.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { downloadsDb } from './downloads.db.ts'
import { downloadMedia, QuotaError, removeMedia, requestPersistence, storageEstimate, type StorageInfo } from './media.cache.ts'

export interface DownloadState {
  done: number
  total: number
  /** i18n key of what went wrong */
  error?: string
}

export const useDownloadsStore = defineStore('downloads', () => {
  const downloads = liveRef(downloadsDb.list, [] as DownloadRow[])
  const active = reactive<Record<string, DownloadState>>({})
  const storage = ref<StorageInfo>()

  const courseBytes = (course: Course) => course.media.reduce((s, m) => s + m.bytes, 0)
  const isDownloaded = (courseId: string) => downloads.value.some((d) => d.courseId === courseId)

  async function refreshEstimate(): Promise<void> {
    storage.value = await storageEstimate()
  }

  /**
   * Stores every media file of a course for offline use. Needs the network; asks for persistent
   * storage on the first download. Running out of space removes the partial files and leaves a
   * readable error; the lessons' text stays available either way (it lives in Dexie).
   */
  async function download(course: Course): Promise<void> {
    const total = courseBytes(course)
    active[course.id] = { done: 0, total }
    try {
      if ((await downloadsDb.count()) === 0) await requestPersistence()
      await downloadMedia(course.media, (done) => (active[course.id]!.done = done))
      await downloadsDb.save({ courseId: course.id, bytes: total, urls: course.media.map((m) => m.url), downloadedAt: Date.now() })
      delete active[course.id]
    } catch (err) {
      active[course.id]!.error = err instanceof QuotaError ? 'library.quotaExceeded' : 'library.downloadFailed'
    } finally {
      void refreshEstimate()
    }
  }

  /** Frees the space a course's media take; the text stays readable. */
  async function remove(courseId: string): Promise<void> {
    const row = downloads.value.find((d) => d.courseId === courseId)
    if (row) await removeMedia(row.urls)
    await downloadsDb.remove(courseId)
    delete active[courseId]
    void refreshEstimate()
  }

  function dismiss(courseId: string): void {
    delete active[courseId]
  }

  return { downloads, active, storage, courseBytes, isDownloaded, refreshEstimate, download, remove, dismiss }
})
