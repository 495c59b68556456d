/**
 * One resumable video upload with tus-js-client (docs/video.md "Upload"). The upload URL is kept
 * in localStorage under a fingerprint of the file (name, size, date and a sample of its bytes),
 * so choosing the same file after a reload or a dropped connection continues from the server's
 * offset; another file never continues this one's upload.
 */
import { Upload, type DetailedError } from 'tus-js-client'
import { ref } from 'vue'
import { UPLOAD_SAMPLE_BYTES, VIDEO_UPLOAD_LIMITS } from '@/protocol/video.ts'
import { authHeaders } from '@/shared/http.ts'

export type UploadState = 'idle' | 'uploading' | 'paused' | 'done' | 'error'

/** sha256(first ‖ last 64 KiB), hex: what the server checks the assembled file against. */
export async function fileSample(file: Blob): Promise<string> {
  const n = Math.min(UPLOAD_SAMPLE_BYTES, file.size)
  const bytes = await new Blob([file.slice(0, n), file.slice(file.size - n)]).arrayBuffer()
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** The i18n key for a refused or failed upload (server codes from videoUpload.routes.ts). */
function errorKey(err: Error): string {
  const res = (err as DetailedError).originalResponse
  if (!res) return 'studioVideo.errors.NETWORK'
  const code = (() => {
    try {
      return (JSON.parse(res.getBody()) as { code?: string }).code
    } catch {
      return undefined
    }
  })()
  const known = ['NOT_MP4', 'VIDEO_TOO_LARGE', 'VIDEO_BROKEN', 'UPLOAD_MIXED', 'NOT_EDITOR']
  if (code && known.includes(code)) return `studioVideo.errors.${code}`
  return res.getStatus() === 413 ? 'studioVideo.errors.VIDEO_TOO_LARGE' : 'studioVideo.errors.SERVER'
}

export function useVideoUpload(onDone: (uploadId: string) => void) {
  const state = ref<UploadState>('idle')
  const sent = ref(0)
  const total = ref(0)
  const error = ref('')
  let upload: Upload | undefined

  async function start(file: File): Promise<void> {
    error.value = ''
    if (file.size > VIDEO_UPLOAD_LIMITS.maxBytes) {
      state.value = 'error'
      error.value = 'studioVideo.errors.VIDEO_TOO_LARGE'
      return
    }
    const sample = await fileSample(file)
    total.value = file.size
    sent.value = 0
    upload = new Upload(file, {
      endpoint: '/api/v1/studio/uploads',
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000, 30_000],
      metadata: { filename: file.name, filetype: file.type, sample },
      fingerprint: async (f) => ['pps-video', f.name, f.size, (f as File).lastModified, sample].join('/'),
      removeFingerprintOnSuccess: true,
      // A fresh token each request: a long upload may outlive a session refresh.
      onBeforeRequest: (req) => {
        for (const [k, v] of Object.entries(authHeaders())) req.setHeader(k, v)
      },
      onProgress: (done, size) => {
        sent.value = done
        total.value = size ?? file.size
      },
      onSuccess: () => {
        state.value = 'done'
        onDone(upload!.url!.split('/').pop()!)
      },
      onError: (err) => {
        state.value = 'error'
        error.value = errorKey(err)
      },
    })
    const previous = await upload.findPreviousUploads()
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0])
    state.value = 'uploading'
    upload.start()
  }

  function pause(): void {
    void upload?.abort()
    state.value = 'paused'
  }

  function resume(): void {
    if (!upload) return
    error.value = ''
    state.value = 'uploading'
    upload.start()
  }

  return { state, sent, total, error, start, pause, resume }
}
