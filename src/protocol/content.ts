/**
 * Content the phones cache and the pull protocol that delivers it (DESIGN.md, Sync → Pull).
 * Server: TypeBox schemas for validation and OpenAPI. PWA: `import type` only.
 */
import { Type, type Static } from 'typebox'
import { Question, Quiz } from './quiz.ts'

export const MediaRef = Type.Object({ url: Type.String(), bytes: Type.Integer({ minimum: 0 }) })
export type MediaRef = Static<typeof MediaRef>

export const CourseKind = Type.Union([Type.Literal('theme'), Type.Literal('specialty')])

export const Course = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: CourseKind,
  category: Type.String(),
  /** The title of a unit's own specialty category (studio courses); absent for the six themes. */
  categoryTitle: Type.Optional(Type.String()),
  description: Type.String(),
  cover: Type.Union([Type.String(), Type.Null()]),
  order: Type.Integer(),
  /** Markdown; rendered and sanitised on the phone. */
  body: Type.String(),
  /** Every media file "download for offline" stores, with its size. */
  media: Type.Array(MediaRef),
})
export type Course = Static<typeof Course>

/** One downloadable version of a lesson's video: the original (高清) or the 360p data-saver (省流). */
export const VideoRendition = Type.Object({
  kind: Type.Union([Type.Literal('hd'), Type.Literal('saver')]),
  url: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
  width: Type.Integer({ minimum: 0 }),
  height: Type.Integer({ minimum: 0 }),
})
export type VideoRendition = Static<typeof VideoRendition>

/**
 * Why a video has no data-saver rendition: still being made, no ffmpeg on the server, processing
 * failed, or the original is already 360p or smaller (then it is its own data-saver).
 */
export const NoSaverReason = Type.Union([Type.Literal('pending'), Type.Literal('no-ffmpeg'), Type.Literal('failed'), Type.Literal('small')])
export type NoSaverReason = Static<typeof NoSaverReason>

/** What processing adds to a video (docs/video.md); absent on videos imported before it. */
const processingFields = {
  /** JPEG frame at about 10 % of the video, shown before the download */
  poster: Type.Optional(Type.String()),
  /** the original (hd) first, then the data-saver when one was made */
  renditions: Type.Optional(Type.Array(VideoRendition)),
  noSaver: Type.Optional(NoSaverReason),
}
export const VideoProcessing = Type.Object(processingFields)
export type VideoProcessing = Static<typeof VideoProcessing>

/**
 * A lesson's video: the original file (MP4), its size, length and picture size, plus what
 * processing made. A phone reads a video without `renditions` as "the original only".
 */
export const LessonVideo = Type.Object({
  url: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
  type: Type.Literal('video/mp4'),
  /** seconds */
  duration: Type.Number({ minimum: 0 }),
  width: Type.Integer({ minimum: 0 }),
  height: Type.Integer({ minimum: 0 }),
  ...processingFields,
})
export type LessonVideo = Static<typeof LessonVideo>

export const Lesson = Type.Object({
  id: Type.String(),
  courseId: Type.String(),
  title: Type.String(),
  order: Type.Integer(),
  minutes: Type.Integer(),
  audio: Type.Union([Type.String(), Type.Null()]),
  /** Absent on rows cached before video lessons (migration 033). */
  video: Type.Optional(Type.Union([LessonVideo, Type.Null()])),
  /** Markdown; for a video lesson, the notes below the video (may be empty). */
  body: Type.String(),
})
export type Lesson = Static<typeof Lesson>

export const PocketCategory = Type.Object({
  id: Type.String(),
  title: Type.String(),
  titleEn: Type.String(),
  order: Type.Integer(),
})
export type PocketCategory = Static<typeof PocketCategory>

export const PocketEntry = Type.Object({
  id: Type.String(),
  category: Type.String(),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  body: Type.String(),
})
export type PocketEntry = Static<typeof PocketEntry>

/** An assignment that applies to the person pulling (see src/protocol/assignment.ts): a course OR a quiz. */
export const Assignment = Type.Object({
  id: Type.String(),
  courseId: Type.Union([Type.String(), Type.Null()]),
  /** Absent on rows cached before quizzes could be assigned (migration 007). */
  quizId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  dueAt: Type.Union([Type.Integer(), Type.Null()]),
})
export type Assignment = Static<typeof Assignment>

export const PULL_PAGE_MAX = 500

export const PullQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 80, description: 'the cursor of the previous page; omit for a full pull' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PULL_PAGE_MAX, default: PULL_PAGE_MAX })),
  /** The device's id (as in push): supervisors see when each phone last synced. */
  deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})
export type PullQuery = Static<typeof PullQuery>

/** One changed row; `data: null` is a tombstone (the row was deleted or unpublished). */
function change<T extends string, S extends ReturnType<typeof Type.Object>>(type: T, data: S) {
  return Type.Object({
    type: Type.Literal(type),
    id: Type.String(),
    version: Type.Integer(),
    data: Type.Union([data, Type.Null()]),
  })
}

export const PullChange = Type.Union([
  change('course', Course),
  change('lesson', Lesson),
  change('pocketCategory', PocketCategory),
  change('pocketEntry', PocketEntry),
  change('assignment', Assignment),
  change('question', Question),
  change('quiz', Quiz),
])
export type PullChange = Static<typeof PullChange>
export type PullType = PullChange['type']

export const PullResponse = Type.Object({
  changes: Type.Array(PullChange),
  /** Opaque: send it back as `since`. Store it in the same transaction as the rows. */
  cursor: Type.String(),
  /** True when another page is waiting. */
  more: Type.Boolean(),
  /**
   * Present on the pages of a first pull (no `since`), which sends what a member needs first:
   * assigned courses, then the pocket book and quizzes, then the rest. `done` rows sent so far,
   * this page included, of about `total`; the page that completes it has done = total.
   */
  progress: Type.Optional(Type.Object({ done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) })),
  /**
   * Present on every page of a reset: what the person may see changed since the cursor was made,
   * so these tables are being sent again from the start. `begins` on the first page (forget the
   * ids received by an unfinished earlier reset); on the last page (more=false) delete the rows
   * of these types that the reset did not send.
   */
  reset: Type.Optional(
    Type.Object({
      types: Type.Array(
        Type.Union([
          Type.Literal('course'),
          Type.Literal('lesson'),
          Type.Literal('pocketCategory'),
          Type.Literal('pocketEntry'),
          Type.Literal('assignment'),
          Type.Literal('question'),
          Type.Literal('quiz'),
        ]),
      ),
      begins: Type.Boolean(),
    }),
  ),
})
export type PullResponse = Static<typeof PullResponse>
