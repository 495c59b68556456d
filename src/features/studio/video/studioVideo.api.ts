import type { StudioVideo } from '@/protocol/video.ts'
import { api } from '@/shared/http.ts'

/** A studio upload's processing state and the video to attach to a lesson. */
export const studioVideoApi = {
  status: (uploadId: string) => api<StudioVideo>('GET', `/v1/studio/videos/${encodeURIComponent(uploadId)}`),
}
