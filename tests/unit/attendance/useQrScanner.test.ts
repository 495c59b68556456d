/**
 * The in-app QR scanner with a fake camera: the browser's BarcodeDetector where it reads QR
 * codes, else jsQR decoding a real QR code (made by the same `qrcode` library as the leader's
 * screen) from the frame the canvas hands it.
 */
import { mount } from '@vue/test-utils'
import QRCode from 'qrcode'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { checkinPath, parseCheckinLink } from '@/features/attendance/checkinLink.ts'
import { useQrScanner } from '@/features/attendance/useQrScanner.ts'

const LINK = `https://dangxiao.example${checkinPath('0b9d3a4e-1111-4222-8333-944455556666', '481516')}`

/** A QR code as a camera frame: black modules on white, 4 px each, with a 4-module quiet zone. */
function qrFrame(text: string): ImageData {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const scale = 4
  const side = (modules.size + 8) * scale
  const data = new Uint8ClampedArray(side * side * 4).fill(255)
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (!modules.get(y, x)) continue
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4
          data[i] = data[i + 1] = data[i + 2] = 0
        }
      }
    }
  }
  return { data, width: side, height: side, colorSpace: 'srgb' } as ImageData
}

function fakeVideo(width: number, height: number): HTMLVideoElement {
  const video = document.createElement('video')
  Object.defineProperties(video, {
    videoWidth: { value: width },
    videoHeight: { value: height },
    readyState: { value: 4 },
  })
  video.play = vi.fn(async () => {})
  return video
}

const track = { stop: vi.fn() }
const getUserMedia = vi.fn(async () => ({ getTracks: () => [track] }) as unknown as MediaStream)

function mountScanner() {
  let scanner!: ReturnType<typeof useQrScanner>
  const wrapper = mount(
    defineComponent({
      setup() {
        scanner = useQrScanner()
        return () => null
      },
    }),
  )
  return { scanner, wrapper }
}

beforeEach(() => {
  track.stop.mockClear()
  getUserMedia.mockClear()
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia }, configurable: true })
})
afterEach(() => {
  delete (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector
  vi.restoreAllMocks()
})

describe('scanning the check-in QR code', { timeout: 30_000 }, () => {
  it('uses the browser’s BarcodeDetector, skips codes that are not ours and stops the camera on a check-in link', async () => {
    const seen = ['https://pay.example/qr/123', LINK]
    const detect = vi.fn(async () => [{ rawValue: seen.shift() ?? LINK }])
    ;(globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = class {
      static getSupportedFormats = async () => ['qr_code', 'ean_13']
      detect = detect
    }
    const { scanner, wrapper } = mountScanner()
    const read: string[] = []
    await scanner.start(fakeVideo(640, 480), (text) => {
      read.push(text)
      return parseCheckinLink(text) !== null
    })
    await vi.waitFor(() => expect(scanner.scanning.value).toBe(false), { timeout: 10_000 })
    expect(read).toEqual(['https://pay.example/qr/123', LINK])
    expect(getUserMedia).toHaveBeenCalledWith({ video: { facingMode: 'environment' }, audio: false })
    expect(track.stop).toHaveBeenCalled()
    wrapper.unmount()
  })

  it('falls back to jsQR where BarcodeDetector cannot read QR codes, and reads a real code from the frame', async () => {
    ;(globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = class {
      static getSupportedFormats = async () => ['ean_13']
      detect = vi.fn(async () => [])
    }
    const frame = qrFrame(LINK)
    const drawImage = vi.fn()
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({
      drawImage,
      getImageData: () => frame,
    } as unknown as CanvasRenderingContext2D)
    const { scanner, wrapper } = mountScanner()
    let got: string | undefined
    await scanner.start(fakeVideo(frame.width, frame.height), (text) => {
      got = text
      return true
    })
    await vi.waitFor(() => expect(got).toBeDefined(), { timeout: 15_000 })
    expect(parseCheckinLink(got!)).toEqual({ meetingId: '0b9d3a4e-1111-4222-8333-944455556666', code: '481516' })
    expect(drawImage).toHaveBeenCalled()
    expect(scanner.scanning.value).toBe(false)
    expect(track.stop).toHaveBeenCalled()
    wrapper.unmount()
  })

  it('keeps looking while the frame holds no code, and stops when the page closes the scanner', async () => {
    const detect = vi.fn(async () => [])
    ;(globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = class {
      static getSupportedFormats = async () => ['qr_code']
      detect = detect
    }
    const { scanner, wrapper } = mountScanner()
    const onText = vi.fn(() => true)
    await scanner.start(fakeVideo(640, 480), onText)
    await vi.waitFor(() => expect(detect.mock.calls.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 })
    expect(onText).not.toHaveBeenCalled()
    wrapper.unmount()
    expect(scanner.scanning.value).toBe(false)
    expect(track.stop).toHaveBeenCalled()
  })

  it('says the camera permission was refused, so the member types the code instead', async () => {
    getUserMedia.mockRejectedValueOnce(new DOMException('denied', 'NotAllowedError'))
    ;(globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = class {
      static getSupportedFormats = async () => ['qr_code']
      detect = vi.fn(async () => [])
    }
    const { scanner, wrapper } = mountScanner()
    await scanner.start(fakeVideo(640, 480), () => true)
    expect(scanner.error.value).toBe('attendance.scan.denied')
    expect(scanner.scanning.value).toBe(false)
    wrapper.unmount()
  })
})
