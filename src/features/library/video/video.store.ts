/**
 * Lesson video downloads on this phone (lazy: loaded only by a video lesson or the downloads
 * page). One download runs per video; its progress, speed and time left live here, its chunks
 * and state in Dexie, so a reload or a killed app resumes from the last stored chunk.
 */
import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import type { VideoDownloadRow } from '@/db/db.ts'
import type { LessonVideo } from '@/protocol/content.ts'
import { liveRef } from '@/shared/liveRef.ts'
import { loadPreference, savePreference } from '@/shared/preferences.ts'
import { QuotaError, requestPersistence, storageEstimate, type StorageInfo } from '../media.cache.ts'
import { bytesDone, DownloadError, downloadVideo, type VideoFile } from './chunkDownload.ts'
import { replacedDownloads } from './renditions.ts'
import { videoChunkStore, videoDb } from './video.db.ts'

export interface ActiveVideo {
  done: number
  total: number
  /** bytes a second over this run, for "time left" */
  speed: number
  /** i18n key of what went wrong */
  error?: string
}

/** Where the browser tells the connection type (Android Chrome); elsewhere we cannot know. */
function connectionType(): string | undefined {
  return (navigator as Navigator & { connection?: { type?: string } }).connection?.type
}

export const useVideoStore = defineStore('video', () => {
  const downloads = liveRef(videoDb.list, [] as VideoDownloadRow[])
  const active = reactive<Record<string, ActiveVideo>>({})
  const controllers = new Map<string, AbortController>()
  const running = new Map<string, Promise<void>>()
  const wlanOnly = ref(loadPreference('videoWlanOnly') === '1')
  const storage = ref<StorageInfo>()

  function setWlanOnly(on: boolean): void {
    wlanOnly.value = on
    savePreference('videoWlanOnly', on ? '1' : '0')
  }

  /** False only when the member asked for WLAN only and the browser says this is not WLAN. */
  function networkAllowed(): boolean {
    const type = connectionType()
    return !wlanOnly.value || type === undefined || type === 'wifi' || type === 'ethernet'
  }

  async function refreshEstimate(): Promise<void> {
    storage.value = await storageEstimate()
  }

  /**
   * Downloads (or resumes) a lesson's video. Needs the network; asks for persistent storage
   * before a new video. A full disk leaves no chunk behind and a readable error.
   */
  function start(file: VideoFile): Promise<void> {
    if (!running.has(file.url)) running.set(file.url, run(file).finally(() => running.delete(file.url)))
    return running.get(file.url)!
  }

  async function run(file: VideoFile): Promise<void> {
    if (!networkAllowed()) {
      active[file.url] = { done: 0, total: file.bytes, speed: 0, error: 'video.wlanOnlyWaiting' }
      return
    }
    const stop = new AbortController()
    controllers.set(file.url, stop)
    const before = await videoChunkStore.get(file.url)
    const startedAt = performance.now()
    const startBytes = before ? bytesDone(before) : 0
    active[file.url] = { done: startBytes, total: before?.bytes ?? file.bytes, speed: 0 }
    try {
      if (!before) await requestPersistence()
      const row = await downloadVideo(file, {
        store: videoChunkStore,
        signal: stop.signal,
        onProgress: (done, total) => {
          const seconds = (performance.now() - startedAt) / 1000
          active[file.url] = { done, total, speed: seconds > 0 ? Math.max(0, done - startBytes) / seconds : 0 }
        },
      })
      if (row.state === 'done') delete active[file.url]
    } catch (err) {
      const error = err instanceof QuotaError ? 'library.quotaExceeded' : err instanceof DownloadError && err.reason === 'gone' ? 'video.gone' : 'library.downloadFailed'
      active[file.url] = { ...active[file.url]!, error }
    } finally {
      controllers.delete(file.url)
      void refreshEstimate()
    }
  }

  /** Downloads cut off by a reload, a killed app or a lost signal carry on (paused ones wait). */
  async function resumeInterrupted(): Promise<void> {
    for (const row of await videoDb.list()) if (row.state === 'downloading') void start(row)
  }
  window.addEventListener('online', () => void resumeInterrupted())

  function pause(url: string): void {
    controllers.get(url)?.abort()
  }

  /** Frees the space a video takes (stopping its download first); the lesson's notes stay. */
  async function remove(url: string): Promise<void> {
    pause(url)
    await running.get(url)
    await videoChunkStore.clear(url)
    delete active[url]
    void refreshEstimate()
  }

  /**
   * Brings this lesson's downloads in line with its video as last pulled: a file the server
   * replaced or removed is deleted (even half-downloaded: never a mix of two files) and the
   * rendition of the same kind starts again from the beginning.
   */
  async function reconcile(lesson: { id: string; title: string }, video: LessonVideo): Promise<void> {
    const { stale, restart } = replacedDownloads(await videoDb.byLesson(lesson.id), lesson.id, video)
    for (const row of stale) await remove(row.url)
    for (const r of restart) void start({ url: r.url, lessonId: lesson.id, title: lesson.title, bytes: r.bytes, kind: r.kind })
  }

  return { downloads, active, wlanOnly, storage, setWlanOnly, refreshEstimate, start, resumeInterrupted, pause, remove, reconcile }
})
