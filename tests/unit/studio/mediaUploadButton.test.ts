import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import MediaUploadButton from '@/features/studio/media/MediaUploadButton.vue'
import { mediaApi } from '@/features/studio/media/media.api.ts'
import { i18n, loadFeatureMessages, setLocale } from '@/i18n/index.ts'
import type { MediaLimits, UploadedMedia } from '@/protocol/media.ts'
import { HttpError, useTokenFrom } from '@/shared/http.ts'

const MB = 1024 * 1024
const LIMITS: MediaLimits = {
  image: { maxBytes: 15 * MB, formats: ['JPEG', 'PNG', 'WebP'], accept: ['image/jpeg', 'image/png', 'image/webp'], maxPixels: 40_000_000, maxSide: 1280 },
  audio: { maxBytes: 30 * MB, formats: ['MP3', 'M4A', 'AAC', 'Ogg'], accept: ['audio/mpeg', 'audio/mp4'] },
}

/** A picked file of `bytes` bytes (the size is set, not allocated: a 31 MB buffer is slow in jsdom). */
function fileOf(name: string, bytes: number, type = 'image/jpeg'): File {
  const file = new File([new Uint8Array(Math.min(bytes, 16))], name, { type })
  Object.defineProperty(file, 'size', { value: bytes })
  return file
}

/** Puts `file` in the widget's file input and fires `change`, as the phone's picker does. */
async function pick(wrapper: ReturnType<typeof mountButton>, file: File) {
  const input = wrapper.get('[data-testid="media-upload-input"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
}

const mountButton = (accept: 'image' | 'audio' = 'image') => mount(MediaUploadButton, { props: { accept }, global: { plugins: [i18n] } })

describe('the studio media upload button', () => {
  beforeAll(() => loadFeatureMessages())
  beforeEach(async () => {
    await setLocale('zh-CN')
    vi.spyOn(mediaApi, 'limits').mockResolvedValue(LIMITS)
  })
  afterEach(() => vi.restoreAllMocks())

  it('says what it accepts before a file is picked, and picks only those types', async () => {
    const w = mountButton('image')
    await flushPromises()
    expect(w.get('[data-testid="media-upload-pick"]').text()).toBe('上传图片')
    expect(w.get('[data-testid="media-upload-limit"]').text()).toBe('JPEG / PNG / WebP 图片，不超过 15.0 MB；上传后缩到长边 1280 像素，并去掉拍摄地点等信息')
    expect(w.get('[data-testid="media-upload-input"]').attributes('accept')).toBe('image/jpeg,image/png,image/webp')

    const audio = mountButton('audio')
    await flushPromises()
    expect(audio.get('[data-testid="media-upload-limit"]').text()).toBe('MP3 / M4A / AAC / Ogg 音频，不超过 30.0 MB')
  })

  it('shows the progress while the file goes up, then hands the URL to the lesson editor', async () => {
    let report: (fraction: number) => void = () => undefined
    let finish: (m: UploadedMedia) => void = () => undefined
    const upload = vi.spyOn(mediaApi, 'upload').mockImplementation((_file, _kind, opts) => {
      report = opts!.onProgress!
      return new Promise((resolve) => (finish = resolve))
    })
    const w = mountButton('image')
    await flushPromises()
    await pick(w, fileOf('党课现场.jpg', 2 * MB))
    await flushPromises()
    expect(upload).toHaveBeenCalledWith(expect.any(File), 'image', expect.anything())

    report(0.42)
    await flushPromises()
    expect(w.get('[data-testid="media-upload-progress"]').text()).toContain('正在上传 42%')
    expect(w.find('[data-testid="media-upload-pick"]').exists()).toBe(false)
    report(1)
    await flushPromises()
    expect(w.get('[data-testid="media-upload-progress"]').text()).toContain('已上传，正在处理')

    finish({ url: '/media/u/ab/abc.jpg?v=abc', kind: 'image', bytes: 1000, width: 1280, height: 853, name: '党课现场.jpg' })
    await flushPromises()
    expect(w.emitted('uploaded')).toEqual([[{ url: '/media/u/ab/abc.jpg?v=abc', kind: 'image', name: '党课现场.jpg' }]])
    expect(w.get('[data-testid="media-upload-done"]').text()).toBe('已上传：党课现场.jpg')
    expect(w.find('[data-testid="media-upload-pick"]').exists()).toBe(true)
  })

  it('refuses a file over the limit without sending it', async () => {
    const upload = vi.spyOn(mediaApi, 'upload')
    const w = mountButton('audio')
    await flushPromises()
    await pick(w, fileOf('讲座.mp3', 31 * MB, 'audio/mpeg'))
    await flushPromises()
    expect(upload).not.toHaveBeenCalled()
    expect(w.get('[data-testid="media-upload-error"]').text()).toBe('文件太大：不能超过 30.0 MB，这个文件有 31.0 MB')
    expect(w.emitted('uploaded')).toBeUndefined()
  })

  it("shows the server's refusal in the reader's language", async () => {
    vi.spyOn(mediaApi, 'upload').mockRejectedValue(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'This file is a program'))
    const w = mountButton('image')
    await flushPromises()
    await pick(w, fileOf('photo.jpg', 1000))
    await flushPromises()
    expect(w.get('[data-testid="media-upload-error"]').text()).toBe('只能上传 JPEG / PNG / WebP 图片。系统按文件内容检查，改文件名没有用')

    await setLocale('en')
    await flushPromises()
    expect(w.get('[data-testid="media-upload-error"]').text()).toBe('Only JPEG / PNG / WebP images are accepted. The file itself is checked: renaming it does not help')

    vi.spyOn(mediaApi, 'upload').mockRejectedValue(new HttpError(413, 'IMAGE_TOO_MANY_PIXELS', '100000 × 100000'))
    await pick(w, fileOf('bomb.png', 1000, 'image/png'))
    await flushPromises()
    expect(w.get('[data-testid="media-upload-error"]').text()).toContain('over 40 megapixels')
    expect(w.emitted('uploaded')).toBeUndefined()
  })

  it('stops the upload when cancelled, and shows no error', async () => {
    vi.spyOn(mediaApi, 'upload').mockImplementation(
      (_file, _kind, opts) => new Promise((_resolve, reject) => opts!.signal!.addEventListener('abort', () => reject(new DOMException('x', 'AbortError')))),
    )
    const w = mountButton('image')
    await flushPromises()
    await pick(w, fileOf('photo.jpg', 1000))
    await flushPromises()
    await w.get('[data-testid="media-upload-cancel"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="media-upload-error"]').exists()).toBe(false)
    expect(w.find('[data-testid="media-upload-pick"]').exists()).toBe(true)
  })
})

/** Just enough of XMLHttpRequest to see what the upload sends and to play the server's part. */
class FakeXhr {
  static last: FakeXhr
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown
  status = 0
  responseText = ''
  statusText = ''
  upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {}
  onload?: () => void
  onerror?: () => void
  onabort?: () => void
  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.onabort?.()
  }
  answer(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

describe('the upload request', () => {
  beforeEach(() => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    useTokenFrom(() => 'token-1')
  })
  afterEach(() => vi.unstubAllGlobals())

  it('sends the file itself with its name percent-encoded, and reports progress', async () => {
    const progress: number[] = []
    const file = fileOf('党课 现场.jpg', 10)
    const done = mediaApi.upload(file, 'image', { orgUnitId: 'unit-1', onProgress: (f) => progress.push(f) })
    const xhr = FakeXhr.last
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('/api/v1/studio/media?kind=image&orgUnitId=unit-1')
    expect(xhr.headers).toMatchObject({ authorization: 'Bearer token-1', 'x-file-name': '%E5%85%9A%E8%AF%BE%20%E7%8E%B0%E5%9C%BA.jpg', 'content-type': 'image/jpeg' })
    expect(xhr.body).toBe(file)
    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 })
    xhr.answer(201, { url: '/media/u/x.jpg', kind: 'image', bytes: 10, name: '党课 现场.jpg' })
    expect(await done).toMatchObject({ url: '/media/u/x.jpg' })
    expect(progress).toEqual([0.5])
  })

  it("turns the server's refusal into an HttpError with its code", async () => {
    const done = mediaApi.upload(fileOf('a.jpg', 10), 'image')
    FakeXhr.last.answer(415, { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This file is a program' })
    await expect(done).rejects.toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
    const dropped = mediaApi.upload(fileOf('a.jpg', 10), 'image')
    FakeXhr.last.onerror?.()
    await expect(dropped).rejects.toMatchObject({ code: 'NETWORK' })
  })
})
