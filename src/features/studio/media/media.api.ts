import type { ApiErrorBody } from '@/protocol/common.ts'
import type { MediaKind, MediaLimits, UploadedMedia } from '@/protocol/media.ts'
import { api, authHeaders, HttpError } from '@/shared/http.ts'

export interface UploadOptions {
  /** The unit the editor works for (recorded in the audit log). */
  orgUnitId?: string
  /** Share of the file sent so far, 0–1. */
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

export const mediaApi = {
  limits: () => api<MediaLimits>('GET', '/v1/studio/media/limits'),

  /**
   * Sends the file as the request body. XMLHttpRequest rather than fetch: fetch reports no upload
   * progress, and a 20 MB recording over a village network takes minutes. Rejects with an
   * HttpError (code NETWORK when the connection drops) or an AbortError when `signal` aborts.
   */
  upload(file: File, kind: MediaKind, { orgUnitId, onProgress, signal }: UploadOptions = {}): Promise<UploadedMedia> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      const query = new URLSearchParams({ kind, ...(orgUnitId ? { orgUnitId } : {}) })
      xhr.open('POST', `/api/v1/studio/media?${query}`)
      const headers = {
        ...authHeaders(),
        accept: 'application/json',
        // Headers carry Latin-1 only: 党课.jpg travels percent-encoded.
        'x-file-name': encodeURIComponent(file.name),
        // What the browser claims, for the audit log; the server decides from the bytes.
        'content-type': file.type || 'application/octet-stream',
      }
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total)
      }
      xhr.onload = () => {
        const data = parseJson(xhr.responseText)
        if (xhr.status === 201) return resolve(data as UploadedMedia)
        const err = (data ?? {}) as Partial<ApiErrorBody>
        reject(new HttpError(xhr.status, err.code ?? `HTTP_${xhr.status}`, err.message ?? xhr.statusText, err.field))
      }
      xhr.onerror = () => reject(new HttpError(0, 'NETWORK', 'The server cannot be reached.'))
      xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
      signal?.addEventListener('abort', () => xhr.abort(), { once: true })
      xhr.send(file)
    })
  },
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
