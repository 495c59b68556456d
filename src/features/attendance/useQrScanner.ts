/**
 * Reads QR codes from the phone's back camera: the browser's own `BarcodeDetector` where it has
 * one (Chrome on Android), else jsQR on video frames (iOS Safari, WeChat's browser). jsQR is a
 * lazy chunk, fetched only when someone taps "scan", so it is never in the first screen; once
 * the service worker has precached it, scanning works offline too.
 */
import { onBeforeUnmount, ref } from 'vue'

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>
}
type DetectorCtor = (new (opts: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> }

/** Whether this browser can give the page a camera at all (hide "scan" when it cannot). */
export function hasCamera(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function'
}

async function makeDecoder(): Promise<(video: HTMLVideoElement) => Promise<string | null>> {
  const Native = (globalThis as { BarcodeDetector?: DetectorCtor }).BarcodeDetector
  if (Native && (await Native.getSupportedFormats?.())?.includes('qr_code')) {
    const detector = new Native({ formats: ['qr_code'] })
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null
  }
  const { default: jsQR } = await import('jsqr')
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!
  return async (video) => {
    // A 640-px frame is plenty for a code filling part of the screen, and fast on cheap phones.
    const scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight))
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    if (!canvas.width || !canvas.height) return null
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height)
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height)
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null
  }
}

/**
 * `start(video, onText)` opens the camera and calls `onText` for every code it reads until
 * `onText` returns true (accepted) or `stop()` is called. `error` is an i18n key.
 */
export function useQrScanner() {
  const scanning = ref(false)
  const error = ref<'attendance.scan.denied' | 'attendance.scan.failed' | ''>('')
  let stream: MediaStream | undefined
  let timer: ReturnType<typeof setTimeout> | undefined

  function stop(): void {
    scanning.value = false
    clearTimeout(timer)
    stream?.getTracks().forEach((t) => t.stop())
    stream = undefined
  }

  async function start(video: HTMLVideoElement, onText: (text: string) => boolean): Promise<void> {
    stop()
    error.value = ''
    scanning.value = true
    try {
      const [media, decode] = await Promise.all([
        navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }),
        makeDecoder(),
      ])
      if (!scanning.value) {
        media.getTracks().forEach((t) => t.stop())
        return
      }
      stream = media
      video.srcObject = media
      await video.play()
      const tick = async (): Promise<void> => {
        if (!scanning.value) return
        const text = video.readyState >= 2 ? await decode(video).catch(() => null) : null
        if (text && onText(text)) {
          stop()
          return
        }
        // ~6 frames a second: quick enough to feel instant, light on a cheap phone's battery.
        timer = setTimeout(() => void tick(), 160)
      }
      void tick()
    } catch (e) {
      stop()
      error.value = (e as Error)?.name === 'NotAllowedError' ? 'attendance.scan.denied' : 'attendance.scan.failed'
    }
  }

  onBeforeUnmount(stop)
  return { scanning, error, start, stop }
}
