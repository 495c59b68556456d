import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import type { MediaKind, MediaLimits, UploadedMedia } from '@/protocol/media.ts'
import { errorMessageKey, HttpError } from '@/shared/http.ts'
import { formatBytes } from '@/shared/format.ts'
import { mediaApi } from './media.api.ts'

/** A message to show: an i18n key and its values. */
export interface UploadMessage {
  key: string
  params?: Record<string, string | number>
}

// The limits are the same for every upload button on the page: asked once, asked again after a failure.
let limitsRequest: Promise<MediaLimits> | undefined
function loadLimits(): Promise<MediaLimits> {
  limitsRequest ??= mediaApi.limits().catch((err: unknown) => {
    limitsRequest = undefined
    throw err
  })
  return limitsRequest
}

/**
 * One upload button's state: the limits (shown before a file is picked), the progress, and a
 * readable reason when the file is refused. Online only: an upload is not queued in the outbox,
 * because the editor needs the URL now to put it in the lesson.
 */
export function useMediaUpload(kind: MediaKind, orgUnitId?: () => string | undefined) {
  const limits = ref<MediaLimits[MediaKind]>()
  const limitsFailed = ref(false)
  const phase = ref<'idle' | 'uploading' | 'processing'>('idle')
  const percent = ref(0)
  const message = ref<UploadMessage>()
  let controller: AbortController | undefined

  const formats = computed(() => limits.value?.formats.join(' / ') ?? '')

  async function refreshLimits(): Promise<MediaLimits[MediaKind] | undefined> {
    try {
      limits.value = (await loadLimits())[kind]
      limitsFailed.value = false
    } catch {
      limitsFailed.value = true
    }
    return limits.value
  }

  function refusal(err: unknown, max: MediaLimits[MediaKind]): UploadMessage {
    const code = err instanceof HttpError ? err.code : ''
    switch (code) {
      case 'PAYLOAD_TOO_LARGE':
        return { key: 'studioMedia.errors.tooLargeServer', params: { size: formatBytes(max.maxBytes) } }
      case 'UNSUPPORTED_MEDIA_TYPE':
        return { key: `studioMedia.errors.unsupported.${kind}`, params: { formats: formats.value } }
      case 'IMAGE_TOO_MANY_PIXELS':
        return { key: 'studioMedia.errors.tooManyPixels', params: { mp: Math.round(('maxPixels' in max ? max.maxPixels : 0) / 1e6) } }
      case 'MEDIA_UNREADABLE':
        return { key: 'studioMedia.errors.unreadable' }
      case 'NOT_EDITOR':
        return { key: 'studioMedia.errors.notEditor' }
      case 'NETWORK':
        return { key: 'studioMedia.errors.network' }
      default:
        return { key: errorMessageKey(err) }
    }
  }

  /** Uploads `file`; the stored media, or undefined when it was refused or cancelled (`message` says why). */
  async function upload(file: File): Promise<UploadedMedia | undefined> {
    message.value = undefined
    const max = limits.value ?? (await refreshLimits())
    if (!max) {
      message.value = { key: 'studioMedia.errors.limits' }
      return undefined
    }
    // Checked here first: no one should wait for 30 MB to go up only to hear it was too many.
    if (file.size > max.maxBytes) {
      message.value = { key: 'studioMedia.errors.tooLarge', params: { size: formatBytes(max.maxBytes), actual: formatBytes(file.size) } }
      return undefined
    }
    controller = new AbortController()
    phase.value = 'uploading'
    percent.value = 0
    try {
      return await mediaApi.upload(file, kind, {
        orgUnitId: orgUnitId?.(),
        signal: controller.signal,
        onProgress: (fraction) => {
          percent.value = Math.floor(fraction * 100)
          // All bytes sent: the server now checks and re-encodes, which takes a moment for a big photo.
          if (fraction >= 1) phase.value = 'processing'
        },
      })
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) message.value = refusal(err, max)
      return undefined
    } finally {
      phase.value = 'idle'
      controller = undefined
    }
  }

  function cancel(): void {
    controller?.abort()
  }

  onMounted(() => void refreshLimits())
  onBeforeUnmount(cancel)

  return { limits, limitsFailed, formats, phase, percent, message, upload, cancel }
}
