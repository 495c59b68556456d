import { describe, expect, it } from 'vitest'
import type { VideoDownloadRow } from '@/db/db.ts'
import { defaultRendition, renditionsOf, replacedDownloads } from '@/features/library/video/renditions.ts'
import type { LessonVideo } from '@/protocol/content.ts'

const original = { url: '/media/video/a.mp4?v=1', bytes: 120e6, type: 'video/mp4', duration: 600, width: 1280, height: 720 } as const
const hd = { kind: 'hd', url: original.url, bytes: original.bytes, width: 1280, height: 720 } as const
const saver = { kind: 'saver', url: '/media/u/ab/ab.mp4?v=ab', bytes: 25e6, width: 640, height: 360 } as const
const processed: LessonVideo = { ...original, poster: '/media/u/cd/cd.jpg?v=cd', renditions: [hd, saver] }
const row = (url: string, extra: Partial<VideoDownloadRow> = {}): VideoDownloadRow => ({
  url, lessonId: 'l1', title: 'x', bytes: 1, etag: null, chunkBytes: 1, chunks: 1, state: 'downloading', updatedAt: 0, ...extra,
})

describe('video renditions on the phone', () => {
  it('reads a video pulled before processing existed as the original alone', () => {
    expect(renditionsOf(original)).toEqual([hd])
    expect(defaultRendition(original, { type: 'cellular' })).toEqual(hd)
  })

  it('offers the data-saver by default on a mobile connection, the original otherwise', () => {
    expect(defaultRendition(processed, { type: 'cellular' }).kind).toBe('saver')
    expect(defaultRendition(processed, { effectiveType: '3g' }).kind).toBe('saver')
    expect(defaultRendition(processed, { type: 'wifi', effectiveType: '3g' }).kind).toBe('hd')
    expect(defaultRendition(processed, { effectiveType: '4g' }).kind).toBe('hd')
    expect(defaultRendition(processed, undefined).kind).toBe('hd')
  })

  it('drops a half-held rendition the server replaced and starts the new one of the same kind', () => {
    const remade = { ...processed, renditions: [hd, { ...saver, url: '/media/u/ef/ef.mp4?v=ef', bytes: 24e6 }] }
    const { stale, restart } = replacedDownloads([row(saver.url, { kind: 'saver' }), row('/other', { lessonId: 'l2' })], 'l1', remade)
    expect(stale.map((r) => r.url)).toEqual([saver.url])
    expect(restart).toEqual([remade.renditions[1]])
  })

  it('keeps downloads that are still current, and restarts nothing when the kind is gone', () => {
    expect(replacedDownloads([row(hd.url)], 'l1', processed)).toEqual({ stale: [], restart: [] })
    const { stale, restart } = replacedDownloads([row(saver.url, { kind: 'saver' })], 'l1', original)
    expect(stale).toHaveLength(1)
    expect(restart).toEqual([])
  })
})
