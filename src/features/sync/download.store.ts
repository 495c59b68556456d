/**
 * The phone's first download of study content, for home and 我的: "正在下载学习内容 40%" until a
 * first pull has completed (its pages are stored as they arrive, so the assigned course can be
 * read before the rest is in). Follows Dexie, so a pull in another tab moves it too.
 */
import { defineStore } from 'pinia'
import { liveRef } from '@/shared/liveRef.ts'
import { loadFirstDownload, type FirstDownload } from './download.db.ts'

export const useContentDownloadStore = defineStore('contentDownload', () => {
  const firstDownload = liveRef(loadFirstDownload, undefined as FirstDownload | undefined)
  return { firstDownload }
})
