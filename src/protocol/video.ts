/**
 * Studio video upload (issue 16, docs/video.md): tus at /api/v1/studio/uploads/, then the
 * processing state at GET /api/v1/studio/videos/:id, whose `video` a lesson editor attaches.
 */
import { Type, type Static } from 'typebox'
import { LessonVideo } from './content.ts'

/** Limits stated in the studio before an upload starts (the server checks both). */
export const VIDEO_UPLOAD_LIMITS = { maxBytes: 4 * 1024 ** 3 - 1, maxSeconds: 3 * 3600 - 1 } as const

/**
 * Bytes hashed from each end of a file for the `sample` upload metadata: sha256(first ‖ last
 * 64 KiB). Cheap on a phone (no full read), and the server compares it with the assembled file,
 * so an upload resumed with another file's bytes is refused instead of stored as a mix.
 */
export const UPLOAD_SAMPLE_BYTES = 64 * 1024

export const StudioVideo = Type.Object({
  uploadId: Type.String(),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  /** % of processing done */
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  /** the video to put in a lesson: renditions and poster once processing ended, `noSaver: 'pending'` before */
  video: LessonVideo,
})
export type StudioVideo = Static<typeof StudioVideo>
