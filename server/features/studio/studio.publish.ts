/**
 * What a studio publish does to the tables phones pull: the course (and its lessons) or pocket
 * entry is written under its fixed content id, scoped to the item's unit, with a new sync
 * version, so the next pull brings it to every member below the unit; lessons dropped from the
 * course and an unpublished item become tombstones, which the pull turns into deletions.
 */
import { createHash } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { CourseDraft, Draft, PocketEntryDraft } from '../../../src/protocol/studio.ts'
import type { Database } from '../../db/database.ts'
import { nextVersion } from '../../db/version.ts'
import { ApiError } from '../../shared/errors.ts'
import { findVideoJob, processedVideo } from '../video/videoJob.repository.ts'

/** Sizes of uploaded media (the media store), so "download for offline" shows the real size. */
export type MediaSize = (url: string) => Promise<number>

const hashOf = (row: object) => createHash('sha256').update(JSON.stringify(row)).digest('hex')

/** Studio courses sort after the imported ones (whose order is 1…n) until a unit orders its own. */
const STUDIO_SORT_ORDER = 1000

interface Target {
  contentId: string
  orgUnitId: string
  now: number
}

/** Inserts the row or replaces it when its content changed (or it was a tombstone); else leaves its version alone. */
async function upsert<T extends 'course' | 'lesson' | 'pocket_entry'>(trx: Transaction<Database>, table: T, row: { id: string } & Record<string, unknown>, t: Target) {
  const content_hash = hashOf(row)
  const old = await trx.selectFrom(table as 'course').select(['content_hash', 'deleted_at']).where('id', '=', row.id).executeTakeFirst()
  if (old && old.content_hash === content_hash && old.deleted_at === null) return
  const values = { ...row, content_hash, org_unit_id: t.orgUnitId, version: await nextVersion(trx), published_at: t.now, deleted_at: null }
  if (old) await trx.updateTable(table as 'course').set(values as never).where('id', '=', row.id).execute()
  else await trx.insertInto(table as 'course').values(values as never).execute()
}

async function tombstone(trx: Transaction<Database>, table: 'course' | 'lesson' | 'pocket_entry', ids: string[], now: number) {
  for (const id of ids) {
    await trx.updateTable(table).set({ deleted_at: now, version: await nextVersion(trx) }).where('id', '=', id).where('deleted_at', 'is', null).execute()
  }
}

/** /media/ URLs a course's phone download stores: cover, lesson audio, images in the lessons. */
function mediaUrls(d: CourseDraft): string[] {
  const urls = new Set<string>()
  if (d.cover) urls.add(d.cover)
  for (const l of d.lessons) {
    if (l.audio) urls.add(l.audio)
    for (const m of l.body.matchAll(/\]\((\/media\/[^)\s]+)\)/g)) urls.add(m[1]!)
  }
  return [...urls]
}

/**
 * The lesson row's video as content:import writes it: the video as processed so far, and
 * `video_source` (the original's sha256), by which a job finishing later adds its renditions.
 */
async function lessonVideo(trx: Transaction<Database>, uploadId: string | null | undefined, i: number) {
  // No video_source key on a text lesson: its row (and content hash) stays as before video lessons.
  if (!uploadId) return { video: null }
  const job = await findVideoJob(trx, uploadId)
  if (!job) throw new ApiError(400, 'DRAFT_INVALID', '"video" is not a video uploaded through the studio', `draft.lessons.${i}.video`)
  return { video: JSON.stringify(processedVideo(job)), video_source: job.source_sha256 }
}

async function publishCourse(trx: Transaction<Database>, d: CourseDraft, t: Target, sizeOf: MediaSize): Promise<void> {
  const media = await Promise.all(mediaUrls(d).map(async (url) => ({ url, bytes: await sizeOf(url) })))
  const course = {
    id: t.contentId,
    title: d.title,
    kind: d.kind,
    category: d.category,
    description: d.description,
    cover: d.cover,
    sort_order: STUDIO_SORT_ORDER,
    body: '',
    media: JSON.stringify(media),
  }
  await upsert(trx, 'course', course, t)
  const kept = new Set<string>()
  for (const [i, l] of d.lessons.entries()) {
    kept.add(l.id!)
    const video = await lessonVideo(trx, l.video, i)
    await upsert(trx, 'lesson', { id: l.id!, course_id: t.contentId, title: l.title, sort_order: i + 1, minutes: l.minutes, audio: l.audio, body: l.body, ...video }, t)
  }
  const live = await trx.selectFrom('lesson').select('id').where('course_id', '=', t.contentId).where('deleted_at', 'is', null).execute()
  await tombstone(trx, 'lesson', live.map((l) => l.id).filter((id) => !kept.has(id)), t.now)
}

async function publishEntry(trx: Transaction<Database>, d: PocketEntryDraft, t: Target): Promise<void> {
  await upsert(trx, 'pocket_entry', { id: t.contentId, category: d.category, title: d.title, tags: JSON.stringify(d.tags), body: d.body }, t)
}

/** Makes `body` what phones have for this item; call inside the approving transaction. */
export async function publishBody(trx: Transaction<Database>, body: Draft, t: Target, sizeOf: MediaSize): Promise<void> {
  if (body.type === 'course') await publishCourse(trx, body, t, sizeOf)
  else await publishEntry(trx, body, t)
}

/** Takes the item off phones: tombstones for it (and a course's lessons), applied on the next pull. */
export async function unpublishContent(trx: Transaction<Database>, kind: Draft['type'], contentId: string, now: number): Promise<void> {
  if (kind === 'pocket_entry') return tombstone(trx, 'pocket_entry', [contentId], now)
  const lessons = await trx.selectFrom('lesson').select('id').where('course_id', '=', contentId).where('deleted_at', 'is', null).execute()
  await tombstone(trx, 'lesson', lessons.map((l) => l.id), now)
  await tombstone(trx, 'course', [contentId], now)
}
